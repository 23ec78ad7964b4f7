//! Propagation: putting the new value into the files that use a credential. Every file is
//! previewed first, rewritten only if the user kept it in the plan, and replaced
//! atomically: a temporary file in the same directory with the original permissions,
//! flushed, then renamed over the original. A reader sees the old file or the new one,
//! never half of each.
//!
//! The preview never quotes a line: a line that holds the rotated value may hold other
//! secrets too (`A=<rotated> B=<other>`, a JSON object on one line). Each occurrence is
//! shown as its key, when one stands in front of it (`TOKEN=`, `"token":`), and the
//! value redacted (`TOKEN=ghp_…(40)` → `TOKEN=<new value>`); nothing else of the line.
//!
//! Where the rewrite goes ([`write_target`]): a symbolic link is followed, and its
//! target rewritten in its own directory, so the link stays a link; a dangling link, a
//! link to something other than a regular file, anything but a regular file, and a
//! file someone else owns are refused. Only a file that already holds the current value
//! is ever written, so a link cannot make Keyward put the new value anywhere the old
//! one was not.

use std::path::{Path, PathBuf};

use super::RotateError;
use super::types::{FileChange, FileOrigin, FilePreview};
use keyward_model::SecretValue;
use keyward_model::fs::{
    Links, MAX_INPUT_FILE_SIZE, foreign_owner, read_regular_file_into, write_atomically,
};

/// The longest key shown in front of a value; anything longer is not taken for a name.
const MAX_KEY_LENGTH: usize = 64;

/// Why a propagation file cannot be rewritten, found before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRefused(pub String);

impl std::fmt::Display for TargetRefused {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The file a rewrite of `path` writes: `path` itself when it is a regular file (or
/// missing: reading it reports that, as before), or the regular file a symbolic link at
/// `path` resolves to (canonical, every link on the way followed). Refused: a dangling
/// link, a link to anything but a regular file, a FIFO, socket, device or directory at
/// `path` (reading one could block or never end), and a file owned by another user
/// (the rename would hand it to this user).
pub fn write_target(path: &Path) -> Result<PathBuf, TargetRefused> {
    let refused = |detail: String| Err(TargetRefused(detail));
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        // Missing or unreadable: the read reports it, as for any file.
        Err(_) => return Ok(path.to_owned()),
    };
    let (target, target_metadata) = if metadata.file_type().is_symlink() {
        let target = match std::fs::canonicalize(path) {
            Ok(target) => target,
            Err(error) => {
                return refused(format!(
                    "is a symbolic link that does not lead to a file ({error}); nothing is written through it"
                ));
            }
        };
        match std::fs::metadata(&target) {
            Ok(target_metadata) => (target, target_metadata),
            Err(error) => {
                return refused(format!(
                    "is a symbolic link to {}, which cannot be read: {error}",
                    target.display()
                ));
            }
        }
    } else {
        (path.to_owned(), metadata)
    };
    let through_link = target != path;
    let via = || {
        if through_link {
            format!("is a symbolic link to {}, which ", target.display())
        } else {
            String::new()
        }
    };
    if !target_metadata.is_file() {
        return refused(format!(
            "{}is {}, not a regular file; only regular files are rewritten",
            via(),
            kind_of(&target_metadata)
        ));
    }
    if let Some(owner) = foreign_owner(&target_metadata) {
        return refused(format!(
            "{}belongs to another user (uid {owner}); Keyward rewrites only files of the user it runs as",
            via()
        ));
    }
    Ok(target)
}

fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Reads the regular file `target` (never through a link at its last component, never
/// past the input size limit).
fn read_target(target: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    let mut content = zeroize::Zeroizing::new(Vec::new());
    read_regular_file_into(target, MAX_INPUT_FILE_SIZE, Links::Refuse, &mut content)
        .map_err(|error| format!("cannot read: {error}"))?;
    Ok(content)
}

/// What a rewrite of `path` from `old` to `new` would change.
pub fn preview_file(path: &Path, old: &SecretValue, new_redacted: &str) -> FilePreview {
    let mut preview = FilePreview {
        path: path.to_owned(),
        origin: FileOrigin::Registered,
        changes: Vec::new(),
        problem: None,
    };
    let Some(old_text) = old.expose_str().filter(|text| !text.is_empty()) else {
        preview.problem = Some("the value is binary; it cannot be found in a text file".into());
        return preview;
    };
    let target = match write_target(path) {
        Ok(target) => target,
        Err(refused) => {
            preview.problem = Some(refused.0);
            return preview;
        }
    };
    let content = match read_target(&target) {
        Ok(content) => content,
        Err(problem) => {
            preview.problem = Some(problem);
            return preview;
        }
    };
    let Ok(text) = std::str::from_utf8(&content) else {
        preview.problem = Some("not a UTF-8 text file".into());
        return preview;
    };
    let old_redacted = old.redacted();
    for (index, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(found) = line[from..].find(old_text) {
            let at = from + found;
            let key = key_before(&line[..at]);
            preview.changes.push(FileChange {
                line: index as u32 + 1,
                before: shown(key, &old_redacted),
                after: shown(key, new_redacted),
            });
            from = at + old_text.len();
        }
    }
    preview
}

/// `KEY=value` or `KEY: value` for a key found in front of the value, else the value.
fn shown(key: Option<(&str, char)>, value: &str) -> String {
    match key {
        Some((name, '=')) => format!("{name}={value}"),
        Some((name, _)) => format!("{name}: {value}"),
        None => value.to_owned(),
    }
}

/// The name the value after `prefix` is assigned to, and its operator (`=` or `:`):
/// the nearest `NAME=` / `NAME:` / `"NAME":` in front of it whose name starts a word
/// (at the start of the line or after a space, `{`, `,`, `;`, `(` or `[`, optionally
/// quoted) and looks like a name (a letter or `_` first, then letters, digits, `_`,
/// `.`, `-`, at most 64 characters). The text between that key and the value, and
/// everything else on the line, is not shown: it may be another secret. A URL's
/// `user:` or a `client_id:` glued to the value is no key (it does not start a word),
/// so the search goes on to the name in front of it.
fn key_before(prefix: &str) -> Option<(&str, char)> {
    let mut end = prefix.len();
    while let Some(operator_at) = prefix[..end].rfind(['=', ':']) {
        end = operator_at;
        let operator = prefix[operator_at..].chars().next()?;
        let before = prefix[..operator_at].trim_end_matches([' ', '\t']);
        let (before, quote) = match before.strip_suffix(['"', '\'']) {
            Some(unquoted) => (unquoted, before.chars().last()),
            None => (before, None),
        };
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            .last()
            .map_or(before.len(), |(index, _)| index);
        let name = &before[start..];
        let mut ahead = before[..start].chars().rev();
        let boundary = match (quote, ahead.next()) {
            (Some(quote), Some(opening)) if opening == quote => ahead.next(),
            (Some(_), _) => continue,
            (None, next) => next,
        };
        let starts_word = boundary.is_none_or(|c| c.is_whitespace() || "{,;([".contains(c));
        // `--token=` is a name too; `-` alone or a number is not.
        let looks_like_name = name.len() <= MAX_KEY_LENGTH
            && name
                .trim_start_matches('-')
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if starts_word && looks_like_name {
            return Some((name, operator));
        }
    }
    None
}

/// Replaces every occurrence of `old` with `new` in `path` (in the file a symbolic link
/// there names: see [`write_target`]), keeping its permissions. Returns whether the file
/// changed; a file that already holds `new` and not `old` is left alone, which makes a
/// resumed propagation a no-op.
pub fn rewrite_file(
    path: &Path,
    old: &SecretValue,
    new: &SecretValue,
) -> Result<bool, RotateError> {
    let failed = |detail: String| RotateError::File {
        path: path.to_owned(),
        detail,
    };
    let (Some(old_text), Some(new_text)) = (old.expose_str(), new.expose_str()) else {
        return Err(failed("binary values are not written into files".into()));
    };
    let target = write_target(path).map_err(|refused| failed(refused.0))?;
    let content = read_target(&target).map_err(failed)?;
    let text = std::str::from_utf8(&content).map_err(|_| failed("not a UTF-8 text file".into()))?;
    if old_text.is_empty() || !text.contains(old_text) {
        return Ok(false);
    }
    let updated = zeroize::Zeroizing::new(text.replace(old_text, new_text));
    let permissions = std::fs::symlink_metadata(&target)
        .map_err(|error| failed(error.to_string()))?
        .permissions();
    write_atomically(&target, updated.as_bytes(), Some(permissions))
        .map_err(|error| failed(format!("cannot replace: {error}")))?;
    Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A value unique to this run, built at run time (the repository scans itself).
    fn value(label: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("kw{label}{nanos:x}{:x}", std::process::id())
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn rewrite_keeps_permissions_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        let (old_text, new_text) = (value("old"), value("new"));
        std::fs::write(&path, format!("A=1\nTOKEN={old_text}\nB={old_text}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let old = SecretValue::from_string(old_text.clone());
        let new = SecretValue::from_string(new_text.clone());

        let preview = preview_file(&path, &old, &new.redacted());
        assert_eq!(preview.changes.len(), 2);
        assert!(
            !format!("{preview:?}").contains(&old_text),
            "a preview must not show the value"
        );

        assert!(rewrite_file(&path, &old, &new).unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("A=1\nTOKEN={new_text}\nB={new_text}\n")
        );
        assert_eq!(mode(&path), 0o640, "permissions must survive the rewrite");
        assert!(
            !rewrite_file(&path, &old, &new).unwrap(),
            "a second run must change nothing"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file may be left behind"
        );
    }

    #[test]
    fn a_preview_shows_the_key_and_the_redacted_value_and_nothing_else_of_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let (old_text, other) = (value("rotated"), value("other"));
        let lines = [
            format!("A={old_text} B={other}"),
            format!(r#"{{"other": "{other}", "token": "{old_text}", "more": "{other}"}}"#),
            format!("export DB_URL=postgres://{other}:{old_text}@db.internal/app"),
            format!("AUTH={other}:{old_text}"),
            format!("{other} {old_text}"),
            format!("  api_key : '{old_text}' # {other}"),
            format!("run --token={old_text} --other={other}"),
            format!("X={old_text},{old_text}"),
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let old = SecretValue::from_string(old_text.clone());
        let preview = preview_file(&path, &old, "<new value>");
        let redacted = old.redacted();
        let shown: Vec<(u32, String, String)> = preview
            .changes
            .iter()
            .map(|change| (change.line, change.before.clone(), change.after.clone()))
            .collect();
        let expected = |line: u32, key: &str| {
            (
                line,
                format!("{key}{redacted}"),
                format!("{key}<new value>"),
            )
        };
        assert_eq!(
            shown,
            vec![
                expected(1, "A="),
                expected(2, "token: "),
                expected(3, "DB_URL="),
                expected(4, "AUTH="),
                expected(5, ""),
                expected(6, "api_key: "),
                expected(7, "--token="),
                expected(8, "X="),
                expected(8, "X="),
            ]
        );
        let debug = format!("{preview:?}");
        for secret in [&old_text, &other] {
            assert!(
                !debug.contains(secret.as_str()),
                "no other secret on the line may be shown: {debug}"
            );
        }
    }

    #[test]
    fn a_symbolic_link_is_followed_its_target_rewritten_and_the_link_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("dotfiles");
        std::fs::create_dir(&real_dir).unwrap();
        let target = real_dir.join("app.env");
        let (old_text, new_text) = (value("old"), value("new"));
        std::fs::write(&target, format!("TOKEN={old_text}\n")).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink("dotfiles/app.env", &link).unwrap();
        let old = SecretValue::from_string(old_text);
        let new = SecretValue::from_string(new_text.clone());

        assert_eq!(
            write_target(&link).unwrap(),
            std::fs::canonicalize(&target).unwrap()
        );
        let preview = preview_file(&link, &old, "<new value>");
        assert_eq!(preview.problem, None);
        assert_eq!(preview.changes.len(), 1);

        assert!(rewrite_file(&link, &old, &new).unwrap());
        let link_metadata = std::fs::symlink_metadata(&link).unwrap();
        assert!(
            link_metadata.file_type().is_symlink(),
            "the link must stay a link"
        );
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("dotfiles/app.env")
        );
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            format!("TOKEN={new_text}\n"),
            "the link's target holds the new value"
        );
        assert_eq!(mode(&target), 0o600, "the target keeps its mode");
        assert_eq!(std::fs::read_dir(&real_dir).unwrap().count(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn dangling_links_links_to_non_files_and_non_files_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let old = SecretValue::from_string(value("old"));
        let new = SecretValue::from_string(value("new"));
        let dangling = dir.path().join("dangling.env");
        std::os::unix::fs::symlink(dir.path().join("gone.env"), &dangling).unwrap();
        let to_directory = dir.path().join("directory.env");
        std::os::unix::fs::symlink(dir.path(), &to_directory).unwrap();
        let fifo = dir.path().join("fifo.env");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let to_fifo = dir.path().join("to-fifo.env");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        let to_device = dir.path().join("to-device.env");
        std::os::unix::fs::symlink("/dev/zero", &to_device).unwrap();

        for (path, expected) in [
            (&dangling, "symbolic link that does not lead to a file"),
            (&to_directory, "which is a directory, not a regular file"),
            (&fifo, "is a FIFO (named pipe), not a regular file"),
            (&to_fifo, "which is a FIFO (named pipe), not a regular file"),
            (&to_device, "which is a device, not a regular file"),
        ] {
            let refused = write_target(path).unwrap_err();
            assert!(
                refused.0.contains(expected),
                "{}: {refused}",
                path.display()
            );
            let preview = preview_file(path, &old, "<new value>");
            assert_eq!(preview.problem.as_deref(), Some(refused.0.as_str()));
            let error = rewrite_file(path, &old, &new).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
            assert!(error.contains(&path.display().to_string()), "{error}");
        }
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink(),
            "a refused link is left as it was"
        );
        assert!(!dir.path().join("gone.env").exists(), "nothing is created");
    }

    #[test]
    fn a_file_of_another_user_is_refused_directly_or_through_a_link() {
        if keyward_model::fs::current_owner() != Some(0) {
            eprintln!("skipped: giving a file to another user needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let old_text = value("old");
        let theirs = dir.path().join("theirs.env");
        std::fs::write(&theirs, format!("TOKEN={old_text}\n")).unwrap();
        std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink(&theirs, &link).unwrap();
        let old = SecretValue::from_string(old_text.clone());
        let new = SecretValue::from_string(value("new"));
        for path in [&theirs, &link] {
            let error = rewrite_file(path, &old, &new).unwrap_err().to_string();
            assert!(
                error.contains("belongs to another user (uid 65534)"),
                "{error}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&theirs).unwrap(),
            format!("TOKEN={old_text}\n")
        );
    }
}
