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
;   C:\ProgramData\LeafTrust\SocialSafe\socialsafe.toml. One already there is
;   kept if an administrator placed it (/REPLACESITECONFIG replaces it anyway),
;   and replaced if anyone else could have: see "The site config, and who
;   placed it" in [Code]. C:\ProgramData\LeafTrust and its SocialSafe folder
;   are made the Administrators', writable by administrators only and readable
;   by everyone;
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
; The site config's folder, and the folder above it, which Setup locks too.
#define VendorDir "{commonappdata}\LeafTrust"
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
#ifdef SiteConfig
#define SiteConfigFile ExtractFileName(SiteConfig)
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

[Files]
#ifdef SiteConfig
; A site config built into the installer, which [Files] never copies: [Code]
; places it, by the same rules as /SITECONFIG (which beats it). First in the
; list, so that ExtractTemporaryFile finds this one, and quickly.
Source: "{#SiteConfig}"; Flags: dontcopy
#endif
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

; No [Dirs] or [Files] entry touches the site config's folders: [Code] makes
; them, so the uninstaller never removes them, and nothing writes there before
; they are checked and locked.

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Social media policy training"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; Off by default, and as the person who started Setup rather than as the
; administrator: a first start makes that account's data folder.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent unchecked runasoriginaluser

[Code]
{ ---------------------------------------------------------------------------
  The site config, and who placed it

  Every account on the PC reads C:\ProgramData\LeafTrust\SocialSafe\socialsafe.toml,
  which chooses the shared folder and the admin passphrase hash. By default any
  user may create folders and files under C:\ProgramData, and owns what they
  create: before SocialSafe is first installed, a user could create
  C:\ProgramData\LeafTrust, the SocialSafe folder in it, or socialsafe.toml
  itself, and keep control of it.

  So Setup:

  1. Before changing anything, notes who owns whichever of the LeafTrust and
     SocialSafe folders are already there (OwnerCheck).
  2. Locks both folders (LockFolder): Administrators become the owner, and the
     permissions become exactly Administrators and SYSTEM full control, Users
     read and execute, nothing inherited and nothing else (icacls /setowner,
     /reset, then /inheritance:r /grant:r, naming well-known SIDs, so it works
     in every language of Windows). It refuses a folder that is a link (a
     junction or symbolic link), so that it never changes the permissions of a
     folder somewhere else; icacls also gets /L, to act on a link itself should
     one appear meanwhile.
  3. Trusts a socialsafe.toml already there only when the file and both folders
     were owned by Administrators or SYSTEM, and the file is no link of any kind
     (TrustOf). A file's owner is whoever created it, unless an administrator
     has taken it over since: a user cannot make Administrators or SYSTEM the
     owner of anything. What an administrator places (copied by an elevated
     account, by Group Policy, by this Setup) is theirs.
     - Trusted: kept, unless /REPLACESITECONFIG comes with a site config.
     - Not trusted: moved aside to socialsafe.toml.untrusted-<time>, as it is,
       for IT to read (SocialSafe reads only socialsafe.toml); the site config
       Setup was given, if any, takes its place.
     - Cannot tell (PowerShell did not answer): replaced when Setup was given a
       site config; otherwise kept, with a warning in the log.
  4. Copies the site config it was given (/SITECONFIG, else the one built in)
     to a new file, never into an existing one (which could be a link).

  What needs IT's attention goes to the log (/LOG) and a message box, and
  makes Setup's exit code 10 (docs/it-guide.md lists the exit codes).
  --------------------------------------------------------------------------- }

const
  { Well-known SIDs: the same in every language of Windows. }
  SidAdmins = '*S-1-5-32-544';
  SidSystem = '*S-1-5-18';
  SidUsers = '*S-1-5-32-545';
  { OwnerCheck's answers: the exit codes of its PowerShell command, and "cannot tell". }
  OwnedByAdmins = 10;
  OwnedBySomeoneElse = 11;
  OwnerUnknown = -1;
  { Setup's exit code when SocialSafe is installed but its site config needs IT's attention. }
  ExitNeedsAttention = 10;

var
  { OwnerCheck of the site config's folders, before Setup locked them. }
  FolderOwners: Integer;
  { What needs IT's attention, for the message at the end. }
  AttentionNotes: String;

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

function VendorFolder: String;
begin
  Result := ExpandConstant('{#VendorDir}');
end;

function SiteConfigFolder: String;
begin
  Result := ExpandConstant('{#SiteConfigDir}');
end;

function SiteConfigTarget: String;
begin
  Result := SiteConfigFolder + '\{#SiteConfigName}';
end;

{ Something IT should see: logged now, shown at the end, and exit code 10. }
procedure NeedsAttention(const Message: String);
begin
  Log('Site config: ' + Message);
  AttentionNotes := AttentionNotes + #13#10#13#10 + Message;
end;

function GetCustomSetupExitCode: Integer;
begin
  Result := 0;
  if AttentionNotes <> '' then
    Result := ExitNeedsAttention;
end;

{ Whether Path is a link (a junction, symbolic link or other reparse point)
  rather than a plain folder or file. }
function IsLink(const Path: String): Boolean;
var
  FindRec: TFindRec;
begin
  Result := False;
  if FindFirst(Path, FindRec) then
  try
    Result := (FindRec.Attributes and FILE_ATTRIBUTE_REPARSE_POINT) <> 0;
  finally
    FindClose(FindRec);
  end;
end;

function IsThere(const Path: String): Boolean;
begin
  Result := FileOrDirExists(Path) or IsLink(Path);
end;

function RunIcacls(const Params: String): Boolean;
var
  Code: Integer;
begin
  Result := False;
  if not Exec(ExpandConstant('{sys}\icacls.exe'), Params, '', SW_HIDE, ewWaitUntilTerminated, Code) then
    Log('icacls ' + Params + ': could not be started (' + SysErrorMessage(Code) + ')')
  else
  begin
    Log('icacls ' + Params + ': exit code ' + IntToStr(Code));
    Result := (Code = 0);
  end;
end;

{ S as a PowerShell string in single quotes. }
function PsString(const S: String): String;
var
  T: String;
begin
  T := S;
  StringChangeEx(T, '''', '''''', True);
  Result := '''' + T + '''';
end;

{ OwnedByAdmins when everything in Paths (PowerShell strings, comma-separated)
  is owned by Administrators or SYSTEM (BA or SY in the text form of its
  security descriptor, in every language) and is no link of any kind (Get-Item's
  LinkType: a junction, a symbolic link, or a file with more than one name);
  OwnedBySomeoneElse when one is not; OwnerUnknown when PowerShell cannot tell. }
function OwnerCheck(const Paths: String): Integer;
var
  Params: String;
  Code: Integer;
begin
  Result := OwnerUnknown;
  Params := '-NoLogo -NoProfile -NonInteractive -Command "$ErrorActionPreference = ''Stop''; ' +
    'foreach ($p in @(' + Paths + ')) { ' +
    'if ((Get-Item -LiteralPath $p -Force).LinkType -or ' +
    '((Get-Acl -LiteralPath $p).Sddl -notmatch ''^O:(BA|SY)(G:|D:|S:|$)'')) { exit ' +
    IntToStr(OwnedBySomeoneElse) + ' } }; exit ' + IntToStr(OwnedByAdmins) + '"';
  if not Exec(ExpandConstant('{sys}\WindowsPowerShell\v1.0\powershell.exe'), Params, '', SW_HIDE,
    ewWaitUntilTerminated, Code) then
    Log('Owner check of ' + Paths + ': PowerShell could not be started (' + SysErrorMessage(Code) + ').')
  else if (Code = OwnedByAdmins) or (Code = OwnedBySomeoneElse) then
  begin
    Result := Code;
    if Code = OwnedByAdmins then
      Log('Owner check of ' + Paths + ': owned by Administrators or SYSTEM.')
    else
      Log('Owner check of ' + Paths + ': NOT all owned by Administrators or SYSTEM, or a link.');
  end
  else
    Log('Owner check of ' + Paths + ': PowerShell could not tell (exit code ' + IntToStr(Code) + ').');
end;

function LinkMessage(const Dir: String): String;
begin
  Result := Dir + ' is a link to another folder (a junction or symbolic link), which SocialSafe never makes. ' +
    'So that it never changes the permissions of a folder somewhere else, Setup leaves it alone. ' +
    'Delete the link (rmdir "' + Dir + '" deletes the link only, not what it points to) and run Setup again.';
end;

{ Makes Dir (created if need be) the Administrators' own: Administrators and
  SYSTEM may change it, Users may only read it, and nothing else is left in its
  permissions, whoever created it and whatever they granted. Refuses a link. }
function LockFolder(const Dir: String): Boolean;
var
  Name: String;
begin
  Result := False;
  if IsLink(Dir) then
  begin
    NeedsAttention(LinkMessage(Dir));
    Exit;
  end;
  if not DirExists(Dir) and not CreateDir(Dir) then
  begin
    NeedsAttention(Dir + ' could not be created (is there a file of that name?).');
    Exit;
  end;
  Name := '"' + Dir + '"';
  { /L: the folder itself, even if someone turns it into a link meanwhile. }
  Result := RunIcacls(Name + ' /setowner ' + SidAdmins + ' /L /C /Q');
  { Drops every permission granted on the folder itself, by whoever created it... }
  Result := RunIcacls(Name + ' /reset /L /C /Q') and Result;
  { ...then the inherited ones too, and grants these three only. }
  Result := RunIcacls(Name + ' /inheritance:r /grant:r ' + SidSystem + ':(OI)(CI)F ' + SidAdmins + ':(OI)(CI)F ' +
    SidUsers + ':(OI)(CI)RX /L /C /Q') and Result;
  if IsLink(Dir) then
  begin
    NeedsAttention(Dir + ' became a link while Setup was running. ' + LinkMessage(Dir));
    Result := False;
  end
  else if not Result then
    NeedsAttention('Setup could not make ' + Dir + ' writable by administrators only (the icacls lines in the log ' +
      'say why), so users may still be able to change the site config. Take the folder over ' +
      '(takeown /f "' + Dir + '" /a /r), delete it, and run Setup again.');
end;

{ At the start of the installation: note who owned the folders, then lock them. }
procedure SecureSiteConfigFolders;
var
  Paths: String;
  Locked: Boolean;
begin
  Paths := '';
  if IsThere(VendorFolder) then
    Paths := PsString(VendorFolder);
  if IsThere(SiteConfigFolder) then
  begin
    if Paths <> '' then
      Paths := Paths + ', ';
    Paths := Paths + PsString(SiteConfigFolder);
  end;
  if Paths = '' then
  begin
    Log('Site config folders: none yet; Setup makes them.');
    FolderOwners := OwnedByAdmins;
  end
  else
    FolderOwners := OwnerCheck(Paths);
  Locked := LockFolder(VendorFolder);
  { Through a link, SocialSafe's folder would be somewhere else: leave it. }
  if not IsLink(VendorFolder) then
    Locked := LockFolder(SiteConfigFolder) and Locked;
  if Locked then
    Log('Site config folders: ' + VendorFolder + ' and ' + SiteConfigFolder + ' are now the Administrators'', ' +
      'writable by administrators only.');
end;

{ The site config Setup was given: /SITECONFIG's, else the one built into Setup, else none (''). }
function SiteConfigSource: String;
begin
  Result := SiteConfigParam;
#ifdef SiteConfig
  if Result = '' then
  begin
    ExtractTemporaryFile('{#SiteConfigFile}');
    Result := ExpandConstant('{tmp}\{#SiteConfigFile}');
  end;
#endif
end;

{ OwnedByAdmins when the site config at Target may be kept: it and both folders
  above it were the Administrators' or SYSTEM's, and it is a plain file. }
function TrustOf(const Target: String): Integer;
begin
  if IsLink(Target) or DirExists(Target) or (FolderOwners = OwnedBySomeoneElse) then
    Result := OwnedBySomeoneElse
  else
  begin
    Result := OwnerCheck(PsString(Target));
    if (Result = OwnedByAdmins) and (FolderOwners <> OwnedByAdmins) then
      Result := OwnerUnknown;
  end;
end;

{ After the program files: keep, replace or place the site config (rules above). }
procedure PlaceSiteConfig;
var
  Target, Source, Aside, Why: String;
  Trust: Integer;
begin
  Target := SiteConfigTarget;
  if IsLink(VendorFolder) or IsLink(SiteConfigFolder) or not DirExists(SiteConfigFolder) then
  begin
    NeedsAttention('Setup neither checked nor placed ' + Target + ': its folder is missing or is a link (see above).');
    Exit;
  end;
  try
    Source := SiteConfigSource;
  except
    NeedsAttention('the site config built into Setup could not be unpacked: ' + GetExceptionMessage);
    Exit;
  end;

  if IsThere(Target) then
  begin
    Trust := TrustOf(Target);
    if (Trust = OwnedByAdmins) and ((Source = '') or not ReplaceSiteConfig) then
    begin
      if Source <> '' then
        Log('Site config: kept the existing ' + Target + ', placed by an administrator ' +
          '(add /REPLACESITECONFIG to replace it).')
      else
        Log('Site config: kept the existing ' + Target + ', placed by an administrator.');
      { Nothing but what the folder grants: administrators change it, users read it. }
      RunIcacls('"' + Target + '" /reset /L /C /Q');
      Exit;
    end;
    if (Trust = OwnerUnknown) and (Source = '') then
    begin
      Log('Site config: WARNING: Setup could not tell who placed ' + Target + ' (PowerShell did not answer), ' +
        'and was given no site config to put in its place, so it kept it. Check that its owner is ' +
        'Administrators or SYSTEM (dir /q "' + Target + '").');
      Exit;
    end;
    if Trust = OwnedByAdmins then
    begin
      { /REPLACESITECONFIG: deleted first, so that the copy below makes a new file. }
      if not DeleteFile(Target) then
      begin
        NeedsAttention('Setup could not replace ' + Target + ' (is it open in another program?).');
        Exit;
      end;
      Log('Site config: /REPLACESITECONFIG: deleted the existing ' + Target + '.');
    end
    else
    begin
      if Trust = OwnedBySomeoneElse then
        Why := Target + ' was not owned by Administrators or SYSTEM, or was a link, so an administrator ' +
          'did not place it: anyone could have.'
      else
        Why := 'Setup could not tell who placed ' + Target + ' (PowerShell did not answer).';
      Aside := Target + '.untrusted-' + GetDateTimeString('yyyymmdd-hhnnss', '-', '-');
      if not RenameFile(Target, Aside) then
      begin
        NeedsAttention(Why + ' Setup could not move it aside (is it open in another program?). ' +
          'Delete it and run Setup again.');
        Exit;
      end;
      if Source = '' then
      begin
        NeedsAttention(Why + ' Setup moved it to ' + Aside + ', and was given no site config to put in its ' +
          'place: SocialSafe on this PC has no site config until one is placed.');
        Exit;
      end;
      if Trust = OwnedBySomeoneElse then
        Log('Site config: replaced a site config not owned by administrators. ' + Why + ' The old file is now ' +
          Aside + '.')
      else
        Log('Site config: replaced a site config Setup could not check. ' + Why + ' The old file is now ' +
          Aside + '.');
    end;
  end;

  if Source = '' then
    Exit;
  { True: fail rather than write into a file that is there after all. }
  if FileCopy(Source, Target, True) then
  begin
    Log('Site config: copied ' + Source + ' to ' + Target + '.');
    RunIcacls('"' + Target + '" /reset /L /C /Q');
  end
  else
    NeedsAttention('The site config could not be copied from ' + Source + ' to ' + Target + '. ' +
      'SocialSafe is installed; copy the file there by hand, as an administrator.');
end;

{ Stop before changing anything when /SITECONFIG names a file that cannot be
  read, or when the site config's folder is a link or a file: exit code 7, and
  the reason in the log (/LOG=...). }
function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if SiteConfigGiven and not FileExists(SiteConfigParam) then
    Result := 'The site config ' + SiteConfigParam + ' given with /SITECONFIG cannot be found or read. ' +
      'Give the full path of socialsafe.toml (a \\server\share path, not a mapped drive letter).'
  else if IsLink(VendorFolder) then
    Result := LinkMessage(VendorFolder)
  else if IsLink(SiteConfigFolder) then
    Result := LinkMessage(SiteConfigFolder)
  else if FileExists(VendorFolder) then
    Result := VendorFolder + ' is a file, where SocialSafe needs a folder: delete it and run Setup again.'
  else if FileExists(SiteConfigFolder) then
    Result := SiteConfigFolder + ' is a file, where SocialSafe needs a folder: delete it and run Setup again.';
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssInstall then
    SecureSiteConfigFolders
  else if CurStep = ssPostInstall then
  begin
    PlaceSiteConfig;
    if AttentionNotes <> '' then
      SuppressibleMsgBox('SocialSafe is installed, but its site config needs attention:' + AttentionNotes,
        mbError, MB_OK, IDOK);
  end;
end;
