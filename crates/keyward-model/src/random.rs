use ring::rand::{SecureRandom, SystemRandom};

/// Bytes from the OS CSPRNG. A failing system RNG leaves nothing safe to do, so this
/// panics rather than hand back a weak key.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random number generator failed");
    bytes
}

/// A random 128-bit identifier in lowercase hex.
pub fn random_id() -> String {
    hex::encode(random_bytes::<16>())
}
