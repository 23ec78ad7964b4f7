//! PEM client-certificate import: certificates and a private key, in one file or in a
//! certificate file and a key file. The input is one file, or (split at its first NUL
//! byte, which no PEM file contains) a certificate file and a key file.
//!
//! Properties: no panic; an import's PEM bundle, read again, is the same bundle (same
//! leaf, same details), and its fingerprint is that of a certificate that was given.

#![no_main]

use std::path::Path;

use keyward_import::certificate::read_pem;
use libfuzzer_sys::fuzz_target;
use x509_parser::prelude::Pem;

fuzz_target!(|data: &[u8]| {
    let cert_path = Path::new("fuzz/cert.pem");
    let key_path = Path::new("fuzz/key.pem");
    let (certificates, key) = match data.iter().position(|byte| *byte == 0) {
        Some(split) => (&data[..split], Some((key_path, &data[split + 1..]))),
        None => (data, None),
    };
    let Ok(bundle) = read_pem(cert_path, certificates, key) else {
        return;
    };
    let given: Vec<String> = Pem::iter_from_buffer(certificates)
        .chain(
            key.into_iter()
                .flat_map(|(_, key)| Pem::iter_from_buffer(key)),
        )
        .filter_map(Result::ok)
        .filter(|pem| pem.label == "CERTIFICATE")
        .map(|pem| hex::encode(ring::digest::digest(&ring::digest::SHA256, &pem.contents)))
        .collect();
    assert!(given.contains(&bundle.info.sha256_fingerprint));
    assert_eq!(bundle.info.chain_length as usize, given.len());

    let again = read_pem(cert_path, bundle.pem.expose(), None)
        .unwrap_or_else(|error| panic!("the stored bundle does not read back: {error}"));
    assert_eq!(again.info, bundle.info);
    assert!(
        again.pem == bundle.pem,
        "reading the stored bundle changes it"
    );
});
