//! The one way Keyward replaces a file (reports, bundles, attestations, the files a
//! rotation rewrites and the public material it publishes), and the one way it reads a
//! file someone else wrote (imports, certificates, `--from-file` values, scanned files,
//! scan configuration). It lives in the model, the crate every engine and the service
//! depend on, so that none of them writes a file half-way or lets a temporary copy be
//! readable by others, and none of them can be made to block on a FIFO or to read
//! `/dev/zero` or a sparse 2 GB file into memory.

use std::fs::{File, Metadata, Permissions};
use std::io::{self, Read as _, Write as _};
use std::path::Path;

use tempfile::NamedTempFile;
use thiserror::Error;

/// The size limit for files a user hands Keyward to read whole: imports (`.env`,
/// Postman, CSV), client certificates and their keys, `--from-file` values, scan
/// configuration and baselines. Real ones are kilobytes; a password manager's CSV export
/// of thousands of entries is a few megabytes. 16 MiB leaves room for those and keeps a
/// hostile or mistaken input (a disk image, a log) from costing more than that in memory.
pub const MAX_INPUT_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Why a file was not read. The message names the limit or the kind of file, never the
/// content; callers put the path in front of it.
#[derive(Debug, Error)]
pub enum ReadError {
    /// A FIFO, socket, device or directory: reading one may block forever (a FIFO with
    /// no writer) or never end (`/dev/zero`), so it is refused before it is read.
    #[error("is {kind}, not a regular file; only regular files are read")]
    NotRegular { kind: &'static str },

    /// The file is larger than `limit` bytes (by its metadata, or by what it yielded).
    #[error("is larger than the {} limit ({limit} bytes)", human_size(*limit))]
    TooLarge { limit: u64 },

    /// Missing, unreadable: the operating system's words, as before these checks.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Whether a symbolic link at the path itself is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it: the user named the path, and a link to a regular file is fine.
    Follow,
    /// Refuse it: the path came from a directory walk that does not follow links, so a
    /// link here means the tree changed under the walk (a swap race).
    Refuse,
}

/// Reads the regular file at `path` whole, refusing anything else and anything larger
/// than `limit` bytes.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buffer = Vec::new();
    read_regular_file_into(path, limit, Links::Follow, &mut buffer)?;
    Ok(buffer)
}

/// Reads the regular file at `path` into `buffer` (cleared first; reused across files by
/// the scanner). The metadata is checked before the file is opened, so a FIFO or a device
/// is never opened at all; the file is opened non-blocking (a FIFO swapped in after that
/// check cannot block the open) and the opened file's own metadata (`fstat`) is checked
/// again, so the check and the read are about the same file; the read goes through
/// `take(limit + 1)`, so a file that grows after the check still cannot yield more than
/// the limit. On error `buffer` is left empty.
pub fn read_regular_file_into(
    path: &Path,
    limit: u64,
    links: Links,
    buffer: &mut Vec<u8>,
) -> Result<(), ReadError> {
    buffer.clear();
    let before = match links {
        Links::Follow => std::fs::metadata(path)?,
        Links::Refuse => std::fs::symlink_metadata(path)?,
    };
    check(&before, limit)?;
    let file = open_for_reading(path, links)?;
    let opened = file.metadata()?;
    check(&opened, limit)?;
    buffer.reserve(usize::try_from(opened.len()).unwrap_or(0));
    let result = file.take(limit.saturating_add(1)).read_to_end(buffer);
    if let Err(error) = result {
        buffer.clear();
        return Err(error.into());
    }
    if buffer.len() as u64 > limit {
        buffer.clear();
        return Err(ReadError::TooLarge { limit });
    }
    Ok(())
}

fn check(metadata: &Metadata, limit: u64) -> Result<(), ReadError> {
    if !metadata.is_file() {
        return Err(ReadError::NotRegular {
            kind: describe(metadata),
        });
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(())
}

#[cfg(unix)]
fn open_for_reading(path: &Path, links: Links) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path, _links: Links) -> io::Result<File> {
    File::open(path)
}

fn describe(metadata: &Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    if kind.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// The user id that owns the files this process creates (its effective user id), read
/// once from an anonymous temporary file: the standard library has no safe `geteuid`.
/// `None` where the platform has no Unix owners or no temporary file could be made.
pub fn current_owner() -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        static OWNER: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
        *OWNER.get_or_init(|| {
            let probe = tempfile::tempfile().ok()?;
            probe.metadata().ok().map(|metadata| metadata.uid())
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Who owns the file behind `metadata`, when it is not the user this process runs as:
/// `Some(uid)` for someone else's file, `None` for our own (or where owners are not
/// known). Replacing someone else's file (a rename over it) would hand it to us, and
/// writing into someone else's directory tree is not what a user asked Keyward to do.
pub fn foreign_owner(metadata: &Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let ours = current_owner()?;
        (metadata.uid() != ours).then_some(metadata.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// `16 MiB`, `10 MiB`, `512 KiB` or `100 bytes`: limits as people set them.
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

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
    use super::{Links, MAX_INPUT_FILE_SIZE, ReadError, read_regular_file, write_atomically};

    #[test]
    fn a_regular_file_is_read_and_anything_over_the_limit_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("a.env");
        std::fs::write(&path, b"A=1\n").unwrap();
        assert_eq!(read_regular_file(&path, 4).unwrap(), b"A=1\n");
        let sparse = directory.path().join("sparse");
        std::fs::File::create(&sparse)
            .unwrap()
            .set_len(MAX_INPUT_FILE_SIZE + 1)
            .unwrap();
        let error = read_regular_file(&sparse, MAX_INPUT_FILE_SIZE).unwrap_err();
        assert!(matches!(error, ReadError::TooLarge { .. }), "{error}");
        assert!(error.to_string().contains("16 MiB"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_directories_and_links_that_must_not_be_followed_are_refused() {
        let error = read_regular_file(std::path::Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(error.to_string().contains("character device"), "{error}");
        let directory = tempfile::tempdir().unwrap();
        let error = read_regular_file(directory.path(), 1024).unwrap_err();
        assert!(error.to_string().contains("directory"), "{error}");
        let link = directory.path().join("link");
        std::fs::write(directory.path().join("target"), b"x").unwrap();
        std::os::unix::fs::symlink(directory.path().join("target"), &link).unwrap();
        assert_eq!(read_regular_file(&link, 1024).unwrap(), b"x");
        let mut buffer = Vec::new();
        let error =
            super::read_regular_file_into(&link, 1024, Links::Refuse, &mut buffer).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
    }

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
