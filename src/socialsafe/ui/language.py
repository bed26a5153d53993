"""Qt's own words in the app's language: standard buttons (OK, Cancel, Save), context menus, file dialogs.

The app's words come from gettext (:mod:`socialsafe.i18n`); Qt's come from its
``qtbase_<language>.qm`` catalogs, where PySide6 ships one for the language (it
ships none for Welsh, so Qt's few words stay English there). In the pseudo-locale
Qt's words are pseudo-translated too, so that the pseudo-locale test sees them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from socialsafe.i18n import SOURCE_LOCALE, is_pseudo, pseudo

# Qt asks its translator for these to learn a layout, not to show them.
_NOT_WORDS = {"QT_LAYOUT_DIRECTION"}

_installed: QTranslator | None = None
_default_locale: QLocale | None = None  # Qt's default before the app changed it


class PseudoQtTranslator(QTranslator):
    """Every Qt string in pseudo-English, as :func:`socialsafe.i18n.pseudo` does the app's."""

    def translate(self, context, source_text, disambiguation=None, n=-1):
        if not source_text or source_text in _NOT_WORDS:
            return source_text
        return pseudo(source_text)

    def isEmpty(self) -> bool:
        return False


def apply_qt_language(locale: str) -> bool:
    """Qt's words and its default locale (dates in date fields) for ``locale``; True if Qt has words for it."""
    global _installed, _default_locale
    app = QCoreApplication.instance()
    if app is None:
        return False
    if _default_locale is None:
        _default_locale = QLocale()
    _remove(app)
    QLocale.setDefault(QLocale(SOURCE_LOCALE if is_pseudo(locale) else locale))
    translator: QTranslator
    if is_pseudo(locale):
        translator = PseudoQtTranslator(app)
    else:
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if not translator.load(QLocale(locale), "qtbase", "_", folder):
            translator.deleteLater()
            return False
    app.installTranslator(translator)
    _installed = translator
    return True


def reset_qt_language() -> None:
    """Qt's words and default locale as they were before :func:`apply_qt_language` (for tests)."""
    global _default_locale
    app = QCoreApplication.instance()
    if app is not None:
        _remove(app)
    if _default_locale is not None:
        QLocale.setDefault(_default_locale)
        _default_locale = None


def _remove(app: QCoreApplication) -> None:
    global _installed
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed.deleteLater()
        _installed = None
