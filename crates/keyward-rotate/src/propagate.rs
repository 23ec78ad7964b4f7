//! Propagation: putting the new value into the files that use a credential. Every file is
//! previewed first (a diff with both values redacted), rewritten only if the user kept
//! it in the plan, and replaced atomically: a temporary file in the same directory with
//! the original permissions, flushed, then renamed over the original. A reader sees the
//! old file or the new one, never half of each.

use std::path::Path;

use super::RotateError;
use super::types::{FileChange, FileOrigin, FilePreview};
use keyward_model::SecretValue;
use keyward_model::fs::write_atomically;

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
    let content = match std::fs::read(path) {
        Ok(content) => zeroize::Zeroizing::new(content),
        Err(error) => {
            preview.problem = Some(format!("cannot read: {error}"));
            return preview;
        }
    };
    let Ok(text) = std::str::from_utf8(&content) else {
        preview.problem = Some("not a UTF-8 text file".into());
        return preview;
    };
    let old_redacted = old.redacted();
    for (index, line) in text.lines().enumerate() {
        if line.contains(old_text) {
            preview.changes.push(FileChange {
                line: index as u32 + 1,
                before: shorten(&line.replace(old_text, &old_redacted)),
                after: shorten(&line.replace(old_text, new_redacted)),
            });
        }
    }
    preview
}

fn shorten(line: &str) -> String {
    let mut shown: String = line.trim().chars().take(160).collect();
    if line.trim().chars().count() > 160 {
        shown.push('…');
    }
    shown
}

/// Replaces every occurrence of `old` with `new` in `path`, keeping its permissions.
/// Returns whether the file changed; a file that already holds `new` and not `old` is
/// left alone, which makes a resumed propagation a no-op.
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
    let content = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|error| failed(format!("cannot read: {error}")))?,
    );
    let text = std::str::from_utf8(&content).map_err(|_| failed("not a UTF-8 text file".into()))?;
    if old_text.is_empty() || !text.contains(old_text) {
        return Ok(false);
    }
    let updated = zeroize::Zeroizing::new(text.replace(old_text, new_text));
    let permissions = std::fs::metadata(path)
        .map_err(|error| failed(error.to_string()))?
        .permissions();
    write_atomically(path, updated.as_bytes(), Some(permissions))
        .map_err(|error| failed(format!("cannot replace: {error}")))?;
    Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn rewrite_keeps_permissions_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(
            &path,
            "A=1\nTOKEN=old-value-123456789012\nB=old-value-123456789012\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let old = SecretValue::from_string("old-value-123456789012".into());
        let new = SecretValue::from_string("new-value-abcdefghijkl".into());

        let preview = preview_file(&path, &old, &new.redacted());
        assert_eq!(preview.changes.len(), 2);
        assert!(
            !format!("{preview:?}").contains("old-value-123456789012"),
            "a preview must not show the value"
        );

        assert!(rewrite_file(&path, &old, &new).unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "A=1\nTOKEN=new-value-abcdefghijkl\nB=new-value-abcdefghijkl\n"
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640,
            "permissions must survive the rewrite"
        );
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
}
