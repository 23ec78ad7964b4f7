//! Which files the app hands to the desktop's default app. Opening a file there means
//! whatever the platform associates with its name: on Windows `.js`, `.hta`, `.wsf`,
//! `.vbs`, `.lnk`, `.scr` and dozens more run as programs, and new ones appear with every
//! installed tool, so no list of dangerous types is ever complete. The rule is an
//! allow-list of document types, the same on every platform: a file is opened only when
//! the type its name says is on it; anything else is not opened (a finding's file is
//! shown selected in the file manager instead, a report must be named `.html`).
//!
//! The type is read the way Windows reads it, and any name Windows would read
//! differently from how it looks is not a document: the text after the last `.` of the
//! file name, including for names that start with one (`.env` is of type `env`); a
//! name with `:` (an NTFS alternate stream: `report.pdf:evil.exe` and
//! `evil.exe:report.pdf` both name streams, not the document they seem to) or ending in
//! `.` or a space (Windows drops those: `x.exe ` is `x.exe`); and types compared in ASCII
//! lower case (`REPORT.PDF` is a PDF, `x.ｐｄｆ` is nothing).

use std::path::Path;

/// Text, data and document types a finding's file may be: the default app for each
/// displays or edits it. No markup with script (`html`, `svg`), no script or launcher.
pub const FINDING_TYPES: &[&str] = &[
    "txt",
    "text",
    "md",
    "log",
    "csv",
    "tsv",
    "json",
    "sarif",
    "yaml",
    "yml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "properties",
    "env",
    "pdf",
];

/// What the HTML report may be named to be opened in the browser.
pub const REPORT_TYPES: &[&str] = &["html", "htm"];

/// The document type of `path` (lower case) if it is one of `allowed`, else why not.
pub fn document_type(path: &Path, allowed: &[&'static str]) -> Result<&'static str, String> {
    let name = path
        .file_name()
        .ok_or("it names no file")?
        .to_str()
        .ok_or("its name is not valid Unicode")?;
    if name.contains(':') {
        return Err("its name contains `:` (an NTFS alternate data stream)".into());
    }
    if name.ends_with(['.', ' ']) {
        return Err("its name ends in a dot or a space, which Windows drops".into());
    }
    if name.chars().any(char::is_control) {
        return Err("its name contains a control character".into());
    }
    let kind = name
        .rsplit_once('.')
        .map(|(_, kind)| kind)
        .ok_or("its name has no type (no `.` extension)")?
        .to_ascii_lowercase();
    allowed
        .iter()
        .find(|allowed| **allowed == kind)
        .copied()
        .ok_or_else(|| format!("`.{kind}` is not a document type Keyward opens"))
}

/// Whether the executable bit is set (Unix): a desktop may offer to run such a file even
/// when its name says text.
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|metadata| metadata.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(name: &str) -> Result<&'static str, String> {
        document_type(Path::new(name), FINDING_TYPES)
    }

    #[test]
    fn documents_open_whatever_their_case() {
        for (name, kind) in [
            ("config.env", "env"),
            (".env", "env"),
            ("notes.TXT", "txt"),
            ("results.sarif", "sarif"),
            ("data.Json", "json"),
            ("export.csv", "csv"),
            ("settings.YAML", "yaml"),
            ("report.pdf", "pdf"),
            ("x.exe.pdf", "pdf"),
            ("/repo/deploy/app.toml", "toml"),
        ] {
            assert_eq!(finding(name), Ok(kind), "{name}");
        }
        assert_eq!(
            document_type(Path::new("keyward-report.HTML"), REPORT_TYPES),
            Ok("html")
        );
    }

    #[test]
    fn scripts_launchers_and_unknown_types_are_not_documents() {
        for name in [
            "payload.js",
            "payload.JS",
            "app.hta",
            "job.wsf",
            "job.WSF",
            "run.exe",
            "run.Exe",
            "setup.bat",
            "setup.cmd",
            "shortcut.lnk",
            "screensaver.scr",
            "macro.vbs",
            "install.msi",
            "tool.ps1",
            "start.desktop",
            "start.sh",
            "page.html",
            "image.svg",
            "invoice.pdf.exe",
            "notes.txt.js",
            "archive.tar.gz",
            "Makefile",
            ".npmrc",
            "report.ｐｄｆ",
        ] {
            assert!(finding(name).is_err(), "{name} must not be opened");
        }
        assert!(document_type(Path::new("report.hta"), REPORT_TYPES).is_err());
        assert!(document_type(Path::new("report.js"), REPORT_TYPES).is_err());
        assert!(document_type(Path::new("report.pdf"), REPORT_TYPES).is_err());
    }

    #[test]
    fn names_windows_reads_differently_are_not_documents() {
        for name in [
            "report.pdf.",
            "report.pdf ",
            "x.exe ",
            "x.exe.",
            "x.exe. . ",
            "report.pdf:evil.exe",
            "evil.exe:report.pdf",
            "report.txt::$DATA",
            "notes\u{7}.txt",
        ] {
            let refused = finding(name).expect_err(name);
            assert!(!refused.is_empty(), "{name}");
        }
        assert!(
            document_type(Path::new("keyward-report.html."), REPORT_TYPES).is_err(),
            "a report name Windows would shorten is refused too"
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_executable_file_is_noticed_whatever_its_name() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let script = folder.path().join("notes.txt");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        assert!(!is_executable(&script));
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(is_executable(&script));
    }
}
