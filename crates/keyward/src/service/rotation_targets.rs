//! Where a rotation puts the new value besides the keychain: the files registered in the
//! credential's rotation setup, and the working-copy files where the leak scanner last
//! found the credential's *current* value. A leaked copy that is not updated keeps
//! working for whoever read it until the old value is revoked, and breaks the program
//! that used it once it is; rewriting it with the rest is what the user wants in the
//! common case (a `.env` nobody registered), and the plan lists it so they can skip it.

use std::path::{Path, PathBuf};

use super::Keyward;
use crate::Result;
use crate::model::SecretValue;
use crate::rotate::{FileOrigin, RotationSetup};
use crate::store::findings;

impl Keyward {
    /// The files a rotation of `name` rewrites, registered ones first, each once.
    ///
    /// A stored finding counts when it is open, in a working copy (history cannot be
    /// rewritten), and holds `current`: its fingerprint is the scanner's fingerprint of
    /// `current` under the finding's rule, or the scanner matched it to this credential's
    /// vault value in a scan that ran after the value was last set (so it was this value
    /// that was seen, not one an earlier rotation already replaced).
    pub(super) fn propagation_targets(
        &self,
        name: &str,
        setup: &RotationSetup,
        current: &SecretValue,
    ) -> Result<Vec<(PathBuf, FileOrigin)>> {
        let mut targets: Vec<(PathBuf, FileOrigin)> = setup
            .files
            .iter()
            .map(|path| (path.clone(), FileOrigin::Registered))
            .collect();
        let value_set_at = self.credential(name)?.rotated_at;
        let open = findings::list(self.store.connection(), false)?;
        // The scan keys only when there is a finding to compare (constant-time, under
        // every key this home fingerprinted with: service/scanning.rs).
        let keys = match open.iter().any(|stored| stored.finding.commit.is_none()) {
            true => Some(self.scan_keys()?),
            false => None,
        };
        for stored in open {
            let finding = &stored.finding;
            if finding.commit.is_some() {
                continue;
            }
            let same_value = keys.as_ref().is_some_and(|keys| {
                keys.identify(&finding.rule, current.expose(), &finding.fingerprint)
            });
            let matched_since_set = finding.vault_credential.as_deref() == Some(name)
                && stored.last_seen >= value_set_at;
            if !(same_value || matched_since_set) {
                continue;
            }
            let path = finding_path(&finding.root, &finding.path);
            if !targets.iter().any(|(known, _)| same_file(known, &path)) {
                targets.push((path, FileOrigin::LeakScan));
            }
        }
        Ok(targets)
    }
}

/// The absolute path of a finding: its scan root joined with its relative path (empty
/// when the root was the file itself).
fn finding_path(root: &str, relative: &str) -> PathBuf {
    if relative.is_empty() {
        PathBuf::from(root)
    } else {
        Path::new(root).join(relative)
    }
}

/// Whether two paths name one file: registered paths are absolute but not necessarily
/// canonical, scan roots are canonical.
fn same_file(left: &Path, right: &Path) -> bool {
    if left == right {
        return true;
    }
    match (std::fs::canonicalize(left), std::fs::canonicalize(right)) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_of_a_scanned_file_is_the_root_itself() {
        assert_eq!(finding_path("/repo/.env", ""), PathBuf::from("/repo/.env"));
        assert_eq!(
            finding_path("/repo", "config/app.env"),
            PathBuf::from("/repo/config/app.env")
        );
    }
}
