//! PKCS#12 (`.p12`/`.pfx`) client-certificate import. The first input byte picks the
//! password the archive is opened with (odd: empty, even: `fuzz`, the seeds' password);
//! the rest is the archive.
//!
//! Properties: no panic (and no unbounded work: key derivation counts are capped); the
//! PEM bundle an import stores reads back, as a PEM import, to the same details.

#![no_main]

use std::path::Path;

use keyward_import::certificate::{read_pem, read_pkcs12};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((choice, archive)) = data.split_first() else {
        return;
    };
    let password = if choice & 1 == 1 { "" } else { "fuzz" };
    let path = Path::new("fuzz/client.p12");
    let Ok(bundle) = read_pkcs12(path, archive, password) else {
        return;
    };
    let again = read_pem(path, bundle.pem.expose(), None)
        .unwrap_or_else(|error| panic!("the stored bundle does not read back: {error}"));
    assert_eq!(again.info, bundle.info);
    assert!(
        again.pem == bundle.pem,
        "reading the stored bundle changes it"
    );
});
