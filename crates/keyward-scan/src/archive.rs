//! Archives scanned inside: zip (and jar, war, whl, apk: zip under other names), tar,
//! gzip and tar.gz. A build artifact or a vendored bundle is where a key committed once
//! lives on after the source is cleaned.
//!
//! An archive is untrusted input that can claim anything about itself, so every limit
//! is counted on the bytes actually produced, never on the sizes the archive declares:
//! a zip bomb stops at [`MAX_EXPANDED`] bytes, a million empty entries at
//! [`MAX_ENTRIES`], an archive inside an archive inside … at [`MAX_DEPTH`]. Entries are
//! read into memory one at a time, each at most the scan's file-size limit.

use std::io::{Cursor, Read};

use thiserror::Error;

/// Archives inside archives followed this deep (the outer archive is depth 1).
pub const MAX_DEPTH: usize = 3;
/// Entries looked at in one archive on disk, nested ones included.
pub const MAX_ENTRIES: usize = 10_000;
/// Bytes expanded from one archive on disk, nested ones included.
pub const MAX_EXPANDED: u64 = 256 * 1024 * 1024;

/// Why an archive (or what is left of it) was not scanned.
#[derive(Debug, Error)]
pub enum ArchiveError {
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("read: {0}")]
    Io(#[from] std::io::Error),
    #[error("more than {MAX_ENTRIES} entries")]
    TooManyEntries,
    #[error("expands to more than {MAX_EXPANDED} bytes")]
    TooLarge,
}

/// The kinds of archive recognized, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Gzip,
    Tar,
}

/// The archive `data` is, from its magic bytes (names lie: a `.jar` is a zip, a
/// `.crate` a tar.gz).
pub fn archive_kind(data: &[u8]) -> Option<ArchiveKind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(ArchiveKind::Zip)
    } else if data.starts_with(b"\x1f\x8b") {
        Some(ArchiveKind::Gzip)
    } else if data.len() >= 512 && &data[257..262] == b"ustar" {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

/// What one walk through an archive on disk has used of its limits.
pub struct Budget {
    entries: usize,
    expanded: u64,
    /// Largest entry read, as the scan's file-size limit.
    max_entry: u64,
    max_expanded: u64,
}

impl Budget {
    pub fn new(max_entry: u64) -> Self {
        Self::with_total(max_entry, MAX_EXPANDED)
    }

    fn with_total(max_entry: u64, max_expanded: u64) -> Self {
        Self {
            entries: 0,
            expanded: 0,
            max_entry,
            max_expanded,
        }
    }

    fn entry(&mut self) -> Result<(), ArchiveError> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(ArchiveError::TooManyEntries);
        }
        Ok(())
    }

    /// Reads one entry, at most the entry limit and what is left of the total; `None`
    /// when the entry is larger than the entry limit (skipped, as a large file is).
    fn read(&mut self, reader: &mut dyn Read) -> Result<Option<Vec<u8>>, ArchiveError> {
        let left = self.max_expanded.saturating_sub(self.expanded);
        let cap = self.max_entry.min(left);
        let mut data = Vec::new();
        reader.take(cap + 1).read_to_end(&mut data)?;
        self.expanded += data.len() as u64;
        if data.len() as u64 > cap {
            if cap == self.max_entry && self.expanded <= self.max_expanded {
                // Only this entry is too large: skipped, as a large file on disk is.
                return Ok(None);
            }
            return Err(ArchiveError::TooLarge);
        }
        Ok(Some(data))
    }
}

/// Calls `visit(path, content)` for every regular file in the archive `data` (of kind
/// `kind`, named `name`), descending into nested archives up to [`MAX_DEPTH`]; paths
/// are `name!inner/path`, `!` once per level. A file that is not an archive of a known
/// kind is passed to `visit` as is. Stops at the first exceeded limit or corrupt
/// part, with what was visited so far kept.
pub fn expand(
    data: &[u8],
    kind: ArchiveKind,
    name: &str,
    depth: usize,
    budget: &mut Budget,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Result<(), ArchiveError> {
    match kind {
        ArchiveKind::Zip => {
            let mut archive = zip::ZipArchive::new(Cursor::new(data))?;
            for index in 0..archive.len() {
                budget.entry()?;
                // An entry this build cannot open (encrypted, or compressed with a
                // method other than deflate) is left out; the rest are still read.
                let Ok(mut file) = archive.by_index(index) else {
                    continue;
                };
                if !file.is_file() {
                    continue;
                }
                let entry = format!("{name}!{}", file.name());
                if let Some(content) = budget.read(&mut file)? {
                    drop(file);
                    visit_entry(&entry, &content, depth, budget, visit)?;
                }
            }
        }
        ArchiveKind::Gzip => {
            budget.entry()?;
            let mut decoder = flate2::read::MultiGzDecoder::new(data);
            if let Some(content) = budget.read(&mut decoder)? {
                let entry = gzip_member_name(name);
                match archive_kind(&content) {
                    // A tar.gz is one archive, not a gzip holding a tar: its entries are
                    // named straight under the file.
                    Some(ArchiveKind::Tar) => {
                        expand(&content, ArchiveKind::Tar, name, depth, budget, visit)?;
                    }
                    _ => visit_entry(&format!("{name}!{entry}"), &content, depth, budget, visit)?,
                }
            }
        }
        ArchiveKind::Tar => {
            let mut archive = tar::Archive::new(data);
            for file in archive.entries()? {
                budget.entry()?;
                let mut file = file?;
                if !file.header().entry_type().is_file() {
                    continue;
                }
                let entry = format!("{name}!{}", String::from_utf8_lossy(&file.path_bytes()));
                if let Some(content) = budget.read(&mut file)? {
                    visit_entry(&entry, &content, depth, budget, visit)?;
                }
            }
        }
    }
    Ok(())
}

/// One file of an archive: itself an archive to open while the depth allows, or content
/// for `visit`.
fn visit_entry(
    path: &str,
    content: &[u8],
    depth: usize,
    budget: &mut Budget,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Result<(), ArchiveError> {
    match archive_kind(content) {
        Some(kind) if depth < MAX_DEPTH => expand(content, kind, path, depth + 1, budget, visit),
        Some(_) => Ok(()),
        None => {
            visit(path, content);
            Ok(())
        }
    }
}

/// The name of the file a `.gz` holds: its own name without the suffix.
fn gzip_member_name(name: &str) -> String {
    let base = name.rsplit(['/', '!']).next().unwrap_or(name);
    base.strip_suffix(".gz")
        .or_else(|| base.strip_suffix(".gzip"))
        .unwrap_or(base)
        .to_owned()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    pub(crate) fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, content) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *content).unwrap();
        }
        builder.into_inner().unwrap()
    }

    pub(crate) fn gzip_of(content: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(content).unwrap();
        encoder.finish().unwrap()
    }

    fn listing(data: &[u8], name: &str, max_entry: u64) -> (Vec<(String, usize)>, bool) {
        listing_within(data, name, Budget::new(max_entry))
    }

    fn listing_within(data: &[u8], name: &str, mut budget: Budget) -> (Vec<(String, usize)>, bool) {
        let mut seen = Vec::new();
        let kind = archive_kind(data).expect("an archive");
        let result = expand(data, kind, name, 1, &mut budget, &mut |path, content| {
            seen.push((path.to_owned(), content.len()));
        });
        (seen, result.is_ok())
    }

    #[test]
    fn nested_archives_are_listed_with_bang_paths() {
        let tar = tar_of(&[("pkg/config.env", b"A=1\n"), ("pkg/readme", b"hi\n")]);
        let tar_gz = gzip_of(&tar);
        let jar = zip_of(&[
            ("META-INF/app.properties", b"x=1\n"),
            ("lib/vendor.tar.gz", &tar_gz),
        ]);
        let outer = zip_of(&[("app.jar", &jar), ("notes.txt.gz", &gzip_of(b"note\n"))]);
        let (seen, ok) = listing(&outer, "dist/release.zip", 1 << 20);
        assert!(ok);
        assert_eq!(
            seen,
            vec![
                (
                    "dist/release.zip!app.jar!META-INF/app.properties".to_owned(),
                    4
                ),
                (
                    "dist/release.zip!app.jar!lib/vendor.tar.gz!pkg/config.env".to_owned(),
                    4
                ),
                (
                    "dist/release.zip!app.jar!lib/vendor.tar.gz!pkg/readme".to_owned(),
                    3
                ),
                ("dist/release.zip!notes.txt.gz!notes.txt".to_owned(), 5),
            ]
        );
    }

    #[test]
    fn a_zip_bomb_stops_at_the_expansion_limit_without_filling_memory() {
        // 16 entries of 4 MiB of zeros each: some 100 KB on disk, 64 MiB inflated, against
        // a total of 16 MiB (the real one is the same code with a larger number).
        let zeros = vec![0u8; 4 << 20];
        let names: Vec<String> = (0..16).map(|index| format!("zero{index}.bin")).collect();
        let entries: Vec<(&str, &[u8])> = names
            .iter()
            .map(|name| (name.as_str(), zeros.as_slice()))
            .collect();
        let bomb = zip_of(&entries);
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        let (seen, ok) = listing_within(&bomb, "bomb.zip", Budget::with_total(10 << 20, 16 << 20));
        assert!(!ok, "the limit ends the walk");
        assert_eq!(seen.len(), 4, "four entries fit in the total");
        // A gzip bomb: one member, inflating past the total.
        let gz = gzip_of(&vec![0u8; 32 << 20]);
        let (_, ok) = listing_within(&gz, "bomb.gz", Budget::with_total(64 << 20, 16 << 20));
        assert!(!ok);
    }

    #[test]
    fn entries_over_the_size_limit_are_skipped_and_depth_is_bounded() {
        let big = vec![b'a'; 4096];
        let archive = zip_of(&[("big.txt", &big), ("small.txt", b"ok\n")]);
        let (seen, ok) = listing(&archive, "a.zip", 1024);
        assert!(ok);
        assert_eq!(seen, vec![("a.zip!small.txt".to_owned(), 3)]);

        let mut nested = zip_of(&[("deep.txt", b"deep\n")]);
        for level in 0..MAX_DEPTH + 1 {
            nested = zip_of(&[(&format!("level{level}.zip"), &nested)]);
        }
        let (seen, ok) = listing(&nested, "n.zip", 1 << 20);
        assert!(ok);
        assert!(
            seen.is_empty(),
            "past the depth limit nothing is opened: {seen:?}"
        );
    }

    #[test]
    fn too_many_entries_end_the_walk() {
        let names: Vec<String> = (0..MAX_ENTRIES + 5)
            .map(|index| format!("f{index}"))
            .collect();
        let entries: Vec<(&str, &[u8])> = names
            .iter()
            .map(|name| (name.as_str(), &b"x"[..]))
            .collect();
        let tar = tar_of(&entries);
        let (seen, ok) = listing(&tar, "many.tar", 1024);
        assert!(!ok);
        assert_eq!(seen.len(), MAX_ENTRIES);
    }
}
