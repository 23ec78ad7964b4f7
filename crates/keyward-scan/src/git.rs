//! Git history and index scanning with gix (pure Rust, no `git` binary needed).
//!
//! History: every commit reachable from any reference, compared with its first parent;
//! the lines it added are scanned, and findings carry the commit, its author and date.
//! Merge commits are skipped: what they bring in was added by the commits they merge.
//! A committed archive is opened (see [`super::archive`]); a commit is credited with the
//! secrets inside it that the previous version of the same inner file did not hold.
//! Index: what `git commit` would record now, compared with `HEAD`, for pre-commit hooks.
//! All objects: history as above from every commit in the object store, not only those a
//! reference reaches (a commit pushed to a pull-request ref and never merged, one left
//! dangling by a rebase or a deleted branch: a host still serves them), and then every
//! blob no commit brought in, whole, under the path `git-objects/<id>`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use gix::ObjectId;

use super::archive::{ArchiveKind, Budget, archive_kind, expand};
use super::walk::{FindingSink, ScanOptions, ScanProgress, is_binary};
use super::{CommitInfo, Result, ScanError, ScanReport, Scanner};

/// A blob path and id in a tree.
type TreeFiles = HashMap<Vec<u8>, ObjectId>;

/// One entry of a tree: (name, is a tree, is a regular blob, id).
type TreeEntry = (Vec<u8>, bool, bool, ObjectId);

/// The path findings in a blob that no commit reaches are reported under.
const UNREACHABLE_BLOB_DIR: &str = "git-objects";

impl Scanner {
    /// Scans the lines every commit of the repository at `path` added.
    pub fn scan_git_history(
        &self,
        path: &Path,
        options: &ScanOptions,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) -> Result<ScanReport> {
        self.scan_git(path, options, progress, false)
    }

    /// Scans every object in the store of the repository at `path`, packed or loose,
    /// reachable or not: the lines every commit added, then each blob that no commit
    /// added, whole.
    pub fn scan_git_objects(
        &self,
        path: &Path,
        options: &ScanOptions,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) -> Result<ScanReport> {
        self.scan_git(path, options, progress, true)
    }

    fn scan_git(
        &self,
        path: &Path,
        options: &ScanOptions,
        progress: &(dyn Fn(ScanProgress) + Sync),
        all_objects: bool,
    ) -> Result<ScanReport> {
        let options = self.effective_options(options);
        let failed = |problem: String| ScanError::Git {
            path: path.to_owned(),
            problem,
        };
        let repo = gix::discover(path).map_err(|error| failed(error.to_string()))?;
        let base = repo
            .workdir()
            .unwrap_or_else(|| repo.git_dir())
            .to_path_buf();
        let sink = self.sink(&base, &options)?;
        let mut tips: Vec<ObjectId> = Vec::new();
        let references = repo
            .references()
            .map_err(|error| failed(error.to_string()))?;
        for reference in references
            .all()
            .map_err(|error| failed(error.to_string()))?
        {
            let Ok(mut reference) = reference else {
                continue;
            };
            if let Ok(commit) = reference.peel_to_commit() {
                tips.push(commit.id);
            }
        }
        if let Ok(head) = repo.head_id() {
            tips.push(head.detach());
        }
        let mut blobs = Vec::new();
        if all_objects {
            let (commits, all_blobs) = stored_objects(&repo).map_err(failed)?;
            tips.extend(commits);
            blobs = all_blobs;
        }
        tips.sort();
        tips.dedup();
        let mut report = ScanReport::default();
        let mut scanned_blobs: HashSet<ObjectId> = HashSet::new();
        // Walked as it goes, never collected: a long history's commit list would be
        // held whole for nothing.
        let walk = if tips.is_empty() {
            None
        } else {
            Some(
                repo.rev_walk(tips)
                    .all()
                    .map_err(|error| failed(error.to_string()))?,
            )
        };
        let mut seen_pairs: HashSet<(Option<ObjectId>, ObjectId, Vec<u8>)> = HashSet::new();
        for info in walk.into_iter().flatten() {
            let info = info.map_err(|error| failed(error.to_string()))?;
            let commit = repo
                .find_commit(info.id)
                .map_err(|error| failed(error.to_string()))?;
            let parents: Vec<ObjectId> = commit.parent_ids().map(|id| id.detach()).collect();
            if parents.len() > 1 {
                continue;
            }
            let tree = commit
                .tree_id()
                .map_err(|error| failed(error.to_string()))?
                .detach();
            let parent_tree = match parents.first() {
                Some(parent) => Some(
                    repo.find_commit(*parent)
                        .and_then(|parent| parent.tree_id())
                        .map_err(|error| failed(error.to_string()))?
                        .detach(),
                ),
                None => None,
            };
            let mut changes = Vec::new();
            diff_trees(
                &repo,
                parent_tree,
                Some(tree),
                &mut Vec::new(),
                &mut changes,
            )
            .map_err(failed)?;
            if changes.is_empty() {
                continue;
            }
            let author = commit.author().map_err(|error| failed(error.to_string()))?;
            let seconds = author.time().map(|time| time.seconds).unwrap_or_default();
            let info = CommitInfo {
                id: info.id.to_string(),
                author: format!("{} <{}>", author.name, author.email),
                date: DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default(),
            };
            for (file, old, new) in changes {
                if all_objects {
                    scanned_blobs.insert(new);
                }
                if !seen_pairs.insert((old, new, file.clone())) {
                    continue;
                }
                self.scan_change(
                    &repo,
                    &sink,
                    &file,
                    old,
                    new,
                    Some(&info),
                    &options,
                    &mut report,
                )
                .map_err(failed)?;
            }
            progress(ScanProgress {
                files_scanned: report.files_scanned,
                bytes_scanned: report.bytes_scanned,
                findings: 0,
            });
        }
        for blob in blobs {
            if scanned_blobs.contains(&blob) {
                continue;
            }
            let file = format!("{UNREACHABLE_BLOB_DIR}/{blob}");
            self.scan_change(
                &repo,
                &sink,
                file.as_bytes(),
                None,
                blob,
                None,
                &options,
                &mut report,
            )
            .map_err(failed)?;
        }
        sink.finish(&mut report);
        report.repository_config = self.repository_config();
        self.apply_baseline(&mut report, Some(&base))?;
        report.sort();
        Ok(report)
    }

    /// Scans what the index holds that `HEAD` does not: the lines a commit made now would
    /// add.
    pub fn scan_staged(&self, path: &Path, options: &ScanOptions) -> Result<ScanReport> {
        let options = self.effective_options(options);
        let failed = |problem: String| ScanError::Git {
            path: path.to_owned(),
            problem,
        };
        let repo = gix::discover(path).map_err(|error| failed(error.to_string()))?;
        let base = repo
            .workdir()
            .unwrap_or_else(|| repo.git_dir())
            .to_path_buf();
        let sink = self.sink(&base, &options)?;
        let mut head_files = TreeFiles::new();
        if let Ok(head) = repo.head_commit() {
            let tree = head
                .tree_id()
                .map_err(|error| failed(error.to_string()))?
                .detach();
            list_tree(&repo, tree, &mut Vec::new(), &mut head_files).map_err(failed)?;
        }
        // The index is a file in the repository like any other: a FIFO or a device put
        // there would block or never end the read, so only a regular file is opened.
        let index_path = repo.index_path();
        if let Ok(metadata) = std::fs::metadata(&index_path)
            && !metadata.is_file()
        {
            return Err(failed(format!(
                "{}: the index is not a regular file; refusing to read it",
                index_path.display()
            )));
        }
        let index = repo
            .open_index()
            .map_err(|error| failed(error.to_string()))?;
        let mut report = ScanReport::default();
        for entry in index.entries() {
            let regular = entry.mode == gix::index::entry::Mode::FILE
                || entry.mode == gix::index::entry::Mode::FILE_EXECUTABLE;
            if !regular || entry.stage_raw() != 0 {
                continue;
            }
            let file = entry.path(&index).to_vec();
            let old = head_files.get(&file).copied();
            if old == Some(entry.id) {
                continue;
            }
            self.scan_change(
                &repo,
                &sink,
                &file,
                old,
                entry.id,
                None,
                &options,
                &mut report,
            )
            .map_err(failed)?;
        }
        sink.finish(&mut report);
        report.repository_config = self.repository_config();
        self.apply_baseline(&mut report, Some(&base))?;
        report.sort();
        Ok(report)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per mode; a struct would only rename them"
    )]
    fn scan_change(
        &self,
        repo: &gix::Repository,
        sink: &FindingSink<'_>,
        file: &[u8],
        old: Option<ObjectId>,
        new: ObjectId,
        commit: Option<&CommitInfo>,
        options: &ScanOptions,
        report: &mut ScanReport,
    ) -> std::result::Result<(), String> {
        let header = repo.find_header(new).map_err(|error| error.to_string())?;
        if header.size() > options.max_file_size {
            report.files_skipped += 1;
            return Ok(());
        }
        let data = repo
            .find_blob(new)
            .map_err(|error| error.to_string())?
            .data
            .clone();
        if is_binary(&data) {
            match archive_kind(&data) {
                Some(kind) => {
                    let relative = String::from_utf8_lossy(file);
                    let context = ArchiveChange {
                        relative: &relative,
                        commit,
                        options,
                    };
                    self.scan_archive_change(repo, sink, &context, old, (&data, kind), report)?;
                }
                None => report.files_skipped += 1,
            }
            return Ok(());
        }
        report.files_scanned += 1;
        report.bytes_scanned += data.len() as u64;
        let relative = String::from_utf8_lossy(file);
        let mut candidates = self.detector.detect_file(&data, &relative);
        if candidates.is_empty() {
            return Ok(());
        }
        if let Some(old) = old {
            let previous = repo
                .find_blob(old)
                .map_err(|error| error.to_string())?
                .data
                .clone();
            let added = added_lines(&previous, &data);
            candidates.retain(|candidate| added.contains(&candidate.line));
        }
        sink.add(&data, &relative, &candidates, commit);
        Ok(())
    }

    /// An archive a commit added or changed: the files inside it scanned whole, less the
    /// secrets the same inner file of its previous version already held (what lines are
    /// to a text file, inner secrets are to an archive: a rebuilt jar re-reports nothing).
    fn scan_archive_change(
        &self,
        repo: &gix::Repository,
        sink: &FindingSink<'_>,
        context: &ArchiveChange<'_>,
        old: Option<ObjectId>,
        (data, kind): (&[u8], ArchiveKind),
        report: &mut ScanReport,
    ) -> std::result::Result<(), String> {
        let ArchiveChange {
            relative,
            commit,
            options,
        } = *context;
        let mut before: HashSet<(String, Vec<u8>)> = HashSet::new();
        if let Some(old) = old {
            let previous = repo
                .find_blob(old)
                .map_err(|error| error.to_string())?
                .data
                .clone();
            if let Some(old_kind) = archive_kind(&previous) {
                let mut budget = Budget::new(options.max_file_size);
                // What the previous version held up to a limit is what is known of it.
                let _partial = expand(
                    &previous,
                    old_kind,
                    relative,
                    1,
                    &mut budget,
                    &mut |path, content| {
                        if !is_binary(content) {
                            for candidate in self.detector.detect_file(content, path) {
                                let secret = content[candidate.start..candidate.end].to_vec();
                                before.insert((path.to_owned(), secret));
                            }
                        }
                    },
                );
            }
        }
        let mut budget = Budget::new(options.max_file_size);
        let result = expand(
            data,
            kind,
            relative,
            1,
            &mut budget,
            &mut |path, content| {
                if is_binary(content) {
                    report.files_skipped += 1;
                    return;
                }
                report.files_scanned += 1;
                report.bytes_scanned += content.len() as u64;
                let mut candidates = self.detector.detect_file(content, path);
                candidates.retain(|candidate| {
                    let secret = content[candidate.start..candidate.end].to_vec();
                    !before.contains(&(path.to_owned(), secret))
                });
                sink.add(content, path, &candidates, commit);
            },
        );
        if result.is_err() {
            report.files_skipped += 1;
        }
        Ok(())
    }
}

/// Where an archive in git sits and how to scan it.
#[derive(Clone, Copy)]
struct ArchiveChange<'a> {
    relative: &'a str,
    commit: Option<&'a CommitInfo>,
    options: &'a ScanOptions,
}

/// Every commit and every blob in the object store (packs of the repository and its
/// alternates, then loose objects), each once, in id order.
fn stored_objects(
    repo: &gix::Repository,
) -> std::result::Result<(Vec<ObjectId>, Vec<ObjectId>), String> {
    let mut commits = Vec::new();
    let mut blobs = Vec::new();
    for id in repo.objects.iter().map_err(|error| error.to_string())? {
        let id = id.map_err(|error| error.to_string())?;
        let header = repo.find_header(id).map_err(|error| error.to_string())?;
        match header.kind() {
            gix::object::Kind::Commit => commits.push(id),
            gix::object::Kind::Blob => blobs.push(id),
            gix::object::Kind::Tree | gix::object::Kind::Tag => {}
        }
    }
    for list in [&mut commits, &mut blobs] {
        list.sort();
        list.dedup();
    }
    Ok((commits, blobs))
}

/// 1-based numbers of the lines in `new` that `old` does not have (as a multiset, so a
/// duplicated line counts as added).
fn added_lines(old: &[u8], new: &[u8]) -> HashSet<u32> {
    let mut remaining: HashMap<&[u8], usize> = HashMap::new();
    for line in old.split(|byte| *byte == b'\n') {
        *remaining.entry(line).or_default() += 1;
    }
    let mut added = HashSet::new();
    for (index, line) in new.split(|byte| *byte == b'\n').enumerate() {
        match remaining.get_mut(line) {
            Some(count) if *count > 0 => *count -= 1,
            _ => {
                added.insert(index as u32 + 1);
            }
        }
    }
    added
}

/// Owned entries of a tree: (name, is_tree, is_regular_blob, id).
fn tree_entries(
    repo: &gix::Repository,
    id: ObjectId,
) -> std::result::Result<Vec<TreeEntry>, String> {
    let tree = repo.find_tree(id).map_err(|error| error.to_string())?;
    let decoded = tree.decode().map_err(|error| error.to_string())?;
    Ok(decoded
        .entries
        .iter()
        .map(|entry| {
            (
                entry.filename.to_vec(),
                entry.mode.is_tree(),
                entry.mode.is_blob(),
                entry.oid.to_owned(),
            )
        })
        .collect())
}

/// Blobs that differ between two trees, as (path, old id, new id); unchanged subtrees are
/// not descended into.
fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<(Vec<u8>, Option<ObjectId>, ObjectId)>,
) -> std::result::Result<(), String> {
    if old == new {
        return Ok(());
    }
    let Some(new) = new else { return Ok(()) };
    let old_entries: HashMap<Vec<u8>, (bool, bool, ObjectId)> = match old {
        Some(old) => tree_entries(repo, old)?
            .into_iter()
            .map(|(name, is_tree, is_blob, id)| (name, (is_tree, is_blob, id)))
            .collect(),
        None => HashMap::new(),
    };
    for (name, is_tree, is_blob, id) in tree_entries(repo, new)? {
        let previous = old_entries.get(&name);
        let length = prefix.len();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(&name);
        if is_tree {
            let old_tree = previous
                .filter(|(was_tree, _, _)| *was_tree)
                .map(|(_, _, id)| *id);
            diff_trees(repo, old_tree, Some(id), prefix, out)?;
        } else if is_blob {
            let old_blob = previous
                .filter(|(_, was_blob, _)| *was_blob)
                .map(|(_, _, id)| *id);
            if old_blob != Some(id) {
                out.push((prefix.clone(), old_blob, id));
            }
        }
        prefix.truncate(length);
    }
    Ok(())
}

fn list_tree(
    repo: &gix::Repository,
    id: ObjectId,
    prefix: &mut Vec<u8>,
    out: &mut TreeFiles,
) -> std::result::Result<(), String> {
    for (name, is_tree, is_blob, id) in tree_entries(repo, id)? {
        let length = prefix.len();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(&name);
        if is_tree {
            list_tree(repo, id, prefix, out)?;
        } else if is_blob {
            out.insert(prefix.clone(), id);
        }
        prefix.truncate(length);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::added_lines;

    #[test]
    fn added_lines_are_those_the_old_text_lacks() {
        let added = added_lines(b"a\nb\nc\n", b"a\nx\nb\nc\nb\n");
        let mut lines: Vec<u32> = added.into_iter().collect();
        lines.sort();
        assert_eq!(
            lines,
            vec![2, 5],
            "a new line and a second copy of an old line are both added"
        );
    }
}
