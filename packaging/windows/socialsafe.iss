; SocialSafe: the Windows installer (Inno Setup 6.3 or newer).
;
; Build the bundle first (packaging/README.md), on Windows:
;
;     py -3.12 -m venv build\bundle-venv
;     build\bundle-venv\Scripts\pip install ".[bundle]"
;     build\bundle-venv\Scripts\pyinstaller --noconfirm --clean packaging\socialsafe.spec
;
; then, from the repository:
;
;     iscc /DAppVersion=0.1.0 packaging\windows\socialsafe.iss
;
; which makes dist\SocialSafe-0.1.0-setup.exe. Optional defines:
;
;     /DDistDir=C:\path\to\SocialSafe       the PyInstaller folder (default: dist\SocialSafe)
;     /DSiteConfig=C:\path\socialsafe.toml  a site config built into the installer
;     /DOutputDir=C:\path                   where the installer goes (default: dist)
;
; What it does (docs/it-guide.md, "Installing on many PCs", is the IT guide):
;
; - installs for all users, under C:\Program Files\SocialSafe (admin rights needed);
; - a Start-menu shortcut to SocialSafe.exe; a desktop one only if asked
;   (task "desktopicon", off by default);
; - the site config: /SITECONFIG="\\server\it\socialsafe.toml" at install
;   time (or /DSiteConfig when building) copies that file to
;   C:\ProgramData\LeafTrust\SocialSafe\socialsafe.toml, unless one is there
;   already: /REPLACESITECONFIG replaces it. The folder is made writable by
;   administrators only and readable by everyone;
; - upgrades in place: the same AppId, so a newer installer replaces the
;   program files (closing SocialSafe first) and nothing else;
; - uninstalling removes the program files and shortcuts only: never the site
;   config, never anyone's data folder (%LOCALAPPDATA%\LeafTrust\SocialSafe,
;   or the folder SOCIALSAFE_HOME names).
;
; tests/test_bundle.py checks that the names below match what
; packaging/socialsafe.spec builds.

#define AppName "SocialSafe"
#define AppPublisher "The Leaf Trust"
#define AppExe "SocialSafe.exe"
#define CliExe "socialsafe-cli.exe"
#define SiteConfigDir "{commonappdata}\LeafTrust\SocialSafe"
#define SiteConfigName "socialsafe.toml"

#ifndef AppVersion
#error Give the version being packaged: iscc /DAppVersion=0.1.0 packaging\windows\socialsafe.iss
#endif
#ifndef DistDir
#define DistDir AddBackslash(SourcePath) + "..\..\dist\SocialSafe"
#endif
#ifndef OutputDir
#define OutputDir AddBackslash(SourcePath) + "..\..\dist"
#endif

[Setup]
; Never change the AppId: it is how an upgrade finds the installed copy.
AppId={{18A22FC1-23F0-4179-BE0B-8825B13B3345}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppCopyright=The Leaf Trust, MIT licence
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=admin
MinVersion=10.0
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Close a running SocialSafe before replacing its files (Windows Restart
; Manager); its results are already saved. Do not restart it afterwards:
; Setup may be running as another account.
CloseApplications=yes
RestartApplications=no
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
SetupIconFile={#DistDir}\_internal\SocialSafe.ico
OutputDir={#OutputDir}
OutputBaseFilename=SocialSafe-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
SetupLogging=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; A new version's libraries replace the old ones wholesale: nothing stale is left beside them.
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
; The site config folder stays when SocialSafe is uninstalled.
Name: "{#SiteConfigDir}"; Flags: uninsneveruninstall

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
#ifdef SiteConfig
; A site config built into the installer; /SITECONFIG at install time beats it.
Source: "{#SiteConfig}"; DestDir: "{#SiteConfigDir}"; DestName: "{#SiteConfigName}"; Flags: onlyifdoesntexist uninsneveruninstall; Check: (not SiteConfigGiven) and (not ReplaceSiteConfig)
Source: "{#SiteConfig}"; DestDir: "{#SiteConfigDir}"; DestName: "{#SiteConfigName}"; Flags: ignoreversion uninsneveruninstall; Check: (not SiteConfigGiven) and ReplaceSiteConfig
#endif

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Social media policy training"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; Off by default, and as the person who started Setup rather than as the
; administrator: a first start makes that account's data folder.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent unchecked runasoriginaluser

[Code]
function SiteConfigParam: String;
begin
  Result := Trim(ExpandConstant('{param:SITECONFIG|}'));
end;

function SiteConfigGiven: Boolean;
begin
  Result := SiteConfigParam <> '';
end;

function SwitchGiven(const Name: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Name) = 0 then
    begin
      Result := True;
      Exit;
    end;
end;

function ReplaceSiteConfig: Boolean;
begin
  Result := SwitchGiven('/REPLACESITECONFIG');
end;

function SiteConfigTarget: String;
begin
  Result := ExpandConstant('{#SiteConfigDir}\{#SiteConfigName}');
end;

{ Stop before changing anything when /SITECONFIG names a file that cannot be
  read: exit code 7, and the reason in the log (/LOG=...). }
function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if SiteConfigGiven and not FileExists(SiteConfigParam) then
    Result := 'The site config ' + SiteConfigParam + ' given with /SITECONFIG cannot be found or read. ' +
      'Give the full path of socialsafe.toml (a \\server\share path, not a mapped drive letter).';
end;

procedure InstallSiteConfig;
begin
  if not SiteConfigGiven then
    Exit;
  if FileExists(SiteConfigTarget) and not ReplaceSiteConfig then
  begin
    Log('Site config: kept the existing ' + SiteConfigTarget + ' (add /REPLACESITECONFIG to replace it).');
    Exit;
  end;
  ForceDirectories(ExtractFileDir(SiteConfigTarget));
  if FileCopy(SiteConfigParam, SiteConfigTarget, False) then
    Log('Site config: copied ' + SiteConfigParam + ' to ' + SiteConfigTarget + '.')
  else
    SuppressibleMsgBox('The site config could not be copied from ' + SiteConfigParam + ' to ' +
      SiteConfigTarget + '. SocialSafe is installed; copy the file there by hand.',
      mbError, MB_OK, IDOK);
end;

procedure RunIcacls(const Params: String);
var
  Code: Integer;
begin
  if Exec(ExpandConstant('{sys}\icacls.exe'), Params, '', SW_HIDE, ewWaitUntilTerminated, Code) then
    Log('icacls ' + Params + ': exit code ' + IntToStr(Code))
  else
    Log('icacls ' + Params + ': could not be started');
end;

{ The site config folder: administrators and SYSTEM may change it, everyone
  else may only read it (by default any user could add files to a folder
  under ProgramData, and so choose the shared folder or the admin passphrase). }
procedure ProtectSiteConfigFolder;
var
  Dir: String;
begin
  Dir := ExpandConstant('{#SiteConfigDir}');
  RunIcacls('"' + Dir + '" /setowner *S-1-5-32-544 /T /C /Q');
  RunIcacls('"' + Dir + '" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F ' +
    '*S-1-5-32-545:(OI)(CI)RX /C /Q');
  if FileExists(SiteConfigTarget) then
    RunIcacls('"' + SiteConfigTarget + '" /reset /C /Q');
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
  begin
    InstallSiteConfig;
    ProtectSiteConfigFolder;
  end;
end;
