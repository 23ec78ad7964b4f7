//! The one way Keyward replaces a file: reports, bundles, attestations, the files a
//! rotation rewrites and the public material it publishes. It lives in the model, the
//! crate every engine and the service depend on, so that none of them writes a file
//! half-way or lets a temporary copy be readable by others.

use std::fs::{File, Permissions};
use std::io::{self, Write as _};
use std::path::Path;

use tempfile::NamedTempFile;

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader sees the old file or the new one, never half of each.
///
/// The temporary file is created owner-only (tempfile's default on Unix) and given
/// `permissions`, when set, before any content is written: content that may hold a
/// secret is never readable by more people than the file it replaces allowed. With
/// `None` the new file stays owner-only. The content is flushed to disk before the
/// rename, and the rename itself where the platform can open a directory. On failure the
/// temporary file is removed and `path` is left as it was.
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
    permissions: Option<Permissions>,
) -> io::Result<()> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = NamedTempFile::new_in(directory)?;
    if let Some(permissions) = permissions {
        temporary.as_file().set_permissions(permissions)?;
    }
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    if let Ok(directory) = File::open(directory) {
        // Not every platform can open a directory; the content is durable either way.
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::write_atomically;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("report.json");
        std::fs::write(&path, b"old").unwrap();
        write_atomically(&path, b"new", None).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(
            std::fs::read_dir(directory.path()).unwrap().count(),
            1,
            "no temporary file may be left behind"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_directory_as_it_was() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("taken");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), b"x").unwrap();
        assert!(
            write_atomically(&target, b"new", None).is_err(),
            "a non-empty directory cannot be replaced by a file"
        );
        assert_eq!(
            std::fs::read_dir(directory.path()).unwrap().count(),
            1,
            "the temporary file must be removed when the rename fails"
        );
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_owner_only_and_given_permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;

        let directory = tempfile::tempdir().unwrap();
        let fresh = directory.path().join("bundle.json");
        write_atomically(&fresh, b"{}", None).unwrap();
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o600,
            "a file Keyward creates must not be readable by others"
        );
        let shared = directory.path().join(".env");
        write_atomically(
            &shared,
            b"A=1",
            Some(std::fs::Permissions::from_mode(0o640)),
        )
        .unwrap();
        assert_eq!(
            std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777,
            0o640,
            "a rewritten file keeps the mode it was given"
        );
    }
}
