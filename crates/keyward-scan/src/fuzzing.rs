//! The way in for the fuzz targets in `fuzz/` to the scanner's private readers of
//! hostile bytes: the archive reader (`scan_archive`) and the JSON unescaper
//! (`scan_json_view`). Hidden from the docs and shaped for those targets alone, so the
//! readers themselves stay private to the scanner.

use super::archive::{Budget, archive_kind, expand};
use super::views::{looks_like_escaped_json, unescape_json};

pub use super::archive::{MAX_ENTRIES, MAX_EXPANDED};

/// What the scanner would scan inside an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveListing {
    /// Each file's path (`name!inner/path`) and content, in the order read.
    pub files: Vec<(String, Vec<u8>)>,
    /// Whether the walk ended without reaching a limit or a corrupt part.
    pub complete: bool,
}

/// The files inside `data` read as the archive `name`, with entries of at most
/// `max_entry` bytes; `None` when `data` is no archive the scanner opens.
pub fn archive_files(data: &[u8], name: &str, max_entry: u64) -> Option<ArchiveListing> {
    let kind = archive_kind(data)?;
    let mut budget = Budget::new(max_entry);
    let mut files = Vec::new();
    let result = expand(data, kind, name, 1, &mut budget, &mut |path, content| {
        files.push((path.to_owned(), content.to_vec()));
    });
    Some(ArchiveListing {
        files,
        complete: result.is_ok(),
    })
}

/// Whether the scanner archive-reads `data` at all.
pub fn is_archive(data: &[u8]) -> bool {
    archive_kind(data).is_some()
}

/// The unescaped view the rules search in a JSON document: whether the detector takes
/// the view for `data`, the view's text, and for every view offset from 0 to the text's
/// length the offset in `data` it maps back to.
pub fn json_view(data: &[u8]) -> (bool, Vec<u8>, Vec<usize>) {
    let view = unescape_json(data);
    let map = (0..=view.text.len())
        .map(|offset| view.map.source(offset))
        .collect();
    (looks_like_escaped_json(data), view.text, map)
}
