//! The scanner's archive reader (zip, tar, gzip, tar.gz, nested), fed a file from a
//! scanned tree, so anything at all. Whatever the bytes: no panic; the limits hold on
//! what is produced (entries, bytes inflated, each file's size); every file is named
//! under the archive and is not itself an archive left unopened above the depth limit;
//! reading twice gives the same files; and any bytes that are no archive, put in a tar
//! the target writes, come back as that one file with those bytes.

#![no_main]

use keyward_scan::fuzzing::{MAX_ENTRIES, MAX_EXPANDED, archive_files, is_archive};
use libfuzzer_sys::fuzz_target;

/// Small, so entries past it are seen being skipped.
const MAX_ENTRY: u64 = 64 * 1024;

/// A ustar archive holding `content` as `inner.txt`.
fn tar_of(content: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..9].copy_from_slice(b"inner.txt");
    header[100..107].copy_from_slice(b"0000644");
    header[108..115].copy_from_slice(b"0000000");
    header[116..123].copy_from_slice(b"0000000");
    header[124..135].copy_from_slice(format!("{:011o}", content.len()).as_bytes());
    header[136..147].copy_from_slice(b"00000000000");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|byte| u32::from(*byte)).sum();
    header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut tar = header.to_vec();
    tar.extend_from_slice(content);
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);
    tar
}

fuzz_target!(|data: &[u8]| {
    let name = "fuzz/dist.bin";
    if let Some(listing) = archive_files(data, name, MAX_ENTRY) {
        let files = &listing.files;
        assert!(files.len() <= MAX_ENTRIES);
        let total: u64 = files.iter().map(|(_, content)| content.len() as u64).sum();
        assert!(total <= MAX_EXPANDED);
        for (path, content) in files {
            assert!(path.starts_with("fuzz/dist.bin!"), "{path}");
            assert!(
                content.len() as u64 <= MAX_ENTRY,
                "{path}: {}",
                content.len()
            );
            assert!(
                !is_archive(content),
                "{path} is an archive handed on unopened"
            );
        }
        let again = archive_files(data, name, MAX_ENTRY).expect("still an archive");
        assert_eq!(again, listing, "reading is deterministic");
    }

    let plain = &data[..data.len().min(MAX_ENTRY as usize)];
    if !is_archive(plain) {
        let listing = archive_files(&tar_of(plain), "fuzz/one.tar", MAX_ENTRY)
            .expect("a tar the target wrote is an archive");
        assert!(listing.complete);
        assert_eq!(
            listing.files,
            vec![("fuzz/one.tar!inner.txt".to_owned(), plain.to_vec())]
        );
    }
});
