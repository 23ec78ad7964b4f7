//! The cipher suites Keyward offers in its own ClientHellos, with what each one means for
//! posture. Properties are derived from the IANA name, so the table stays one line per
//! suite and cannot disagree with itself.

/// Key exchange of a suite, as far as forward secrecy and authentication go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExchange {
    /// Static RSA: whoever gets the server key later can read old traffic.
    Rsa,
    /// Static (EC)DH with a certificate key: no forward secrecy either.
    StaticDh,
    Dhe,
    Ecdhe,
    /// Anonymous (EC)DH: no server authentication at all.
    Anonymous,
    Psk,
    /// TLS 1.3 suites name no key exchange; it is always ephemeral.
    Tls13,
}

/// One cipher suite Keyward knows by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSuite {
    pub id: u16,
    pub name: &'static str,
}

impl CipherSuite {
    pub fn is_tls13(self) -> bool {
        self.name.starts_with("TLS_AES_") || self.name.starts_with("TLS_CHACHA20_")
    }

    pub fn key_exchange(self) -> KeyExchange {
        let name = self.name;
        if self.is_tls13() {
            KeyExchange::Tls13
        } else if name.contains("_anon_") {
            KeyExchange::Anonymous
        } else if name.contains("PSK") {
            KeyExchange::Psk
        } else if name.starts_with("TLS_ECDHE_") {
            KeyExchange::Ecdhe
        } else if name.starts_with("TLS_DHE_") {
            KeyExchange::Dhe
        } else if name.starts_with("TLS_ECDH_") || name.starts_with("TLS_DH_") {
            KeyExchange::StaticDh
        } else {
            KeyExchange::Rsa
        }
    }

    /// Finite-field DH suites whose ServerKeyExchange carries the group's prime.
    pub fn uses_finite_field_dh(self) -> bool {
        self.name.starts_with("TLS_DHE_") || self.name.starts_with("TLS_DH_anon_")
    }

    /// Why this suite is weak (the classes named by `tls.cipher.weak`), if it is.
    pub fn weakness(self) -> Option<&'static str> {
        let name = self.name;
        if name.contains("_NULL_") || name.ends_with("_NULL") {
            Some("NULL")
        } else if name.contains("EXPORT") {
            Some("EXPORT")
        } else if self.key_exchange() == KeyExchange::Anonymous {
            Some("anon")
        } else if name.contains("_RC4_") {
            Some("RC4")
        } else if name.contains("_3DES_") {
            Some("3DES")
        } else if name.contains("_DES_") || name.contains("_DES40_") {
            Some("DES")
        } else if name.contains("_SEED_") {
            Some("SEED")
        } else if name.contains("_IDEA_") {
            Some("IDEA")
        } else {
            None
        }
    }

    /// Authenticated encryption (GCM, CCM, ChaCha20-Poly1305, every TLS 1.3 suite).
    pub fn is_aead(self) -> bool {
        self.is_tls13()
            || self.name.contains("_GCM_")
            || self.name.contains("_CCM")
            || self.name.contains("POLY1305")
    }

    /// Suites that only exist from TLS 1.2 on (SHA-2 MACs, AEAD).
    pub fn needs_tls12(self) -> bool {
        self.is_aead() || self.name.ends_with("_SHA256") || self.name.ends_with("_SHA384")
    }
}

/// Looks a suite up by number.
pub fn by_id(id: u16) -> Option<CipherSuite> {
    ALL.iter().copied().find(|suite| suite.id == id)
}

/// The name to show for a suite number, known or not.
pub fn name_of(id: u16) -> String {
    by_id(id).map_or_else(|| format!("0x{id:04X}"), |suite| suite.name.to_owned())
}

/// TLS 1.3 suites.
pub fn tls13() -> impl Iterator<Item = CipherSuite> {
    ALL.iter().copied().filter(|suite| suite.is_tls13())
}

/// Suites for SSLv3 to TLS 1.2.
pub fn legacy() -> impl Iterator<Item = CipherSuite> {
    ALL.iter().copied().filter(|suite| !suite.is_tls13())
}

macro_rules! suites {
    ($($id:literal $name:ident,)*) => {
        /// Every suite Keyward offers: the TLS 1.3 set, the modern TLS 1.2 set, and the
        /// legacy and weak suites a scanner must be able to recognise.
        pub const ALL: &[CipherSuite] = &[$(CipherSuite { id: $id, name: stringify!($name) },)*];
    };
}

suites! {
    0x1301 TLS_AES_128_GCM_SHA256,
    0x1302 TLS_AES_256_GCM_SHA384,
    0x1303 TLS_CHACHA20_POLY1305_SHA256,
    0x1304 TLS_AES_128_CCM_SHA256,
    0x1305 TLS_AES_128_CCM_8_SHA256,
    0xC02B TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    0xC02C TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    0xC02F TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    0xC030 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    0xCCA8 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0xCCA9 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    0xCCAA TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0x009E TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    0x009F TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    0x00A2 TLS_DHE_DSS_WITH_AES_128_GCM_SHA256,
    0x00A3 TLS_DHE_DSS_WITH_AES_256_GCM_SHA384,
    0xC0AC TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
    0xC0AD TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
    0xC0AE TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    0xC0AF TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8,
    0xC09E TLS_DHE_RSA_WITH_AES_128_CCM,
    0xC09F TLS_DHE_RSA_WITH_AES_256_CCM,
    0xC0A2 TLS_DHE_RSA_WITH_AES_128_CCM_8,
    0xC0A3 TLS_DHE_RSA_WITH_AES_256_CCM_8,
    0xC05C TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256,
    0xC05D TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384,
    0xC060 TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256,
    0xC061 TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384,
    0xC052 TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256,
    0xC053 TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384,
    0xC023 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    0xC024 TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
    0xC027 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    0xC028 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    0xC072 TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256,
    0xC073 TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384,
    0xC076 TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256,
    0xC077 TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384,
    0xC009 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    0xC00A TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    0xC013 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    0xC014 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    0x0067 TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
    0x006B TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
    0x0040 TLS_DHE_DSS_WITH_AES_128_CBC_SHA256,
    0x006A TLS_DHE_DSS_WITH_AES_256_CBC_SHA256,
    0x00BE TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256,
    0x00C4 TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256,
    0x0033 TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
    0x0039 TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    0x0032 TLS_DHE_DSS_WITH_AES_128_CBC_SHA,
    0x0038 TLS_DHE_DSS_WITH_AES_256_CBC_SHA,
    0x0045 TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA,
    0x0088 TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA,
    0x0044 TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA,
    0x0087 TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA,
    0x009C TLS_RSA_WITH_AES_128_GCM_SHA256,
    0x009D TLS_RSA_WITH_AES_256_GCM_SHA384,
    0xC09C TLS_RSA_WITH_AES_128_CCM,
    0xC09D TLS_RSA_WITH_AES_256_CCM,
    0xC0A0 TLS_RSA_WITH_AES_128_CCM_8,
    0xC0A1 TLS_RSA_WITH_AES_256_CCM_8,
    0xC050 TLS_RSA_WITH_ARIA_128_GCM_SHA256,
    0xC051 TLS_RSA_WITH_ARIA_256_GCM_SHA384,
    0x003C TLS_RSA_WITH_AES_128_CBC_SHA256,
    0x003D TLS_RSA_WITH_AES_256_CBC_SHA256,
    0x00BA TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256,
    0x00C0 TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256,
    0x002F TLS_RSA_WITH_AES_128_CBC_SHA,
    0x0035 TLS_RSA_WITH_AES_256_CBC_SHA,
    0x0041 TLS_RSA_WITH_CAMELLIA_128_CBC_SHA,
    0x0084 TLS_RSA_WITH_CAMELLIA_256_CBC_SHA,
    0xC004 TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA,
    0xC005 TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA,
    0xC00E TLS_ECDH_RSA_WITH_AES_128_CBC_SHA,
    0xC00F TLS_ECDH_RSA_WITH_AES_256_CBC_SHA,
    0x0096 TLS_RSA_WITH_SEED_CBC_SHA,
    0x009A TLS_DHE_RSA_WITH_SEED_CBC_SHA,
    0x0099 TLS_DHE_DSS_WITH_SEED_CBC_SHA,
    0x0007 TLS_RSA_WITH_IDEA_CBC_SHA,
    0x000A TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    0x0016 TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
    0x0013 TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA,
    0xC008 TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA,
    0xC012 TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
    0xC003 TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA,
    0xC00D TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA,
    0x0009 TLS_RSA_WITH_DES_CBC_SHA,
    0x0015 TLS_DHE_RSA_WITH_DES_CBC_SHA,
    0x0012 TLS_DHE_DSS_WITH_DES_CBC_SHA,
    0x0004 TLS_RSA_WITH_RC4_128_MD5,
    0x0005 TLS_RSA_WITH_RC4_128_SHA,
    0xC007 TLS_ECDHE_ECDSA_WITH_RC4_128_SHA,
    0xC011 TLS_ECDHE_RSA_WITH_RC4_128_SHA,
    0xC002 TLS_ECDH_ECDSA_WITH_RC4_128_SHA,
    0xC00C TLS_ECDH_RSA_WITH_RC4_128_SHA,
    0x0066 TLS_DHE_DSS_WITH_RC4_128_SHA,
    0x0003 TLS_RSA_EXPORT_WITH_RC4_40_MD5,
    0x0006 TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5,
    0x0008 TLS_RSA_EXPORT_WITH_DES40_CBC_SHA,
    0x0011 TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA,
    0x0014 TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA,
    0x0062 TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA,
    0x0063 TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA,
    0x0064 TLS_RSA_EXPORT1024_WITH_RC4_56_SHA,
    0x0065 TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA,
    0x0034 TLS_DH_anon_WITH_AES_128_CBC_SHA,
    0x003A TLS_DH_anon_WITH_AES_256_CBC_SHA,
    0x006C TLS_DH_anon_WITH_AES_128_CBC_SHA256,
    0x006D TLS_DH_anon_WITH_AES_256_CBC_SHA256,
    0x00A6 TLS_DH_anon_WITH_AES_128_GCM_SHA256,
    0x00A7 TLS_DH_anon_WITH_AES_256_GCM_SHA384,
    0x0046 TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA,
    0x0089 TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA,
    0x00BF TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256,
    0x00C5 TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256,
    0x009B TLS_DH_anon_WITH_SEED_CBC_SHA,
    0x0018 TLS_DH_anon_WITH_RC4_128_MD5,
    0x001B TLS_DH_anon_WITH_3DES_EDE_CBC_SHA,
    0x001A TLS_DH_anon_WITH_DES_CBC_SHA,
    0x0017 TLS_DH_anon_EXPORT_WITH_RC4_40_MD5,
    0x0019 TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA,
    0xC018 TLS_ECDH_anon_WITH_AES_128_CBC_SHA,
    0xC019 TLS_ECDH_anon_WITH_AES_256_CBC_SHA,
    0xC016 TLS_ECDH_anon_WITH_RC4_128_SHA,
    0xC017 TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA,
    0xC015 TLS_ECDH_anon_WITH_NULL_SHA,
    0x0001 TLS_RSA_WITH_NULL_MD5,
    0x0002 TLS_RSA_WITH_NULL_SHA,
    0x003B TLS_RSA_WITH_NULL_SHA256,
    0xC006 TLS_ECDHE_ECDSA_WITH_NULL_SHA,
    0xC010 TLS_ECDHE_RSA_WITH_NULL_SHA,
    0xC001 TLS_ECDH_ECDSA_WITH_NULL_SHA,
    0xC00B TLS_ECDH_RSA_WITH_NULL_SHA,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_numbers_are_unique() {
        let mut ids: Vec<u16> = ALL.iter().map(|suite| suite.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            ALL.len(),
            "a duplicate number would make enumeration skip a suite"
        );
    }

    #[test]
    fn properties_follow_the_names() {
        let suite = |id| by_id(id).unwrap();
        assert_eq!(suite(0x002F).key_exchange(), KeyExchange::Rsa);
        assert_eq!(suite(0xC02F).key_exchange(), KeyExchange::Ecdhe);
        assert!(suite(0xC02F).is_aead() && suite(0xC02F).weakness().is_none());
        assert_eq!(suite(0x0034).weakness(), Some("anon"));
        assert_eq!(suite(0x003B).weakness(), Some("NULL"));
        assert_eq!(suite(0x000A).weakness(), Some("3DES"));
        assert_eq!(suite(0x0009).weakness(), Some("DES"));
        assert_eq!(suite(0x0096).weakness(), Some("SEED"));
        assert_eq!(suite(0x0003).weakness(), Some("EXPORT"));
        assert!(suite(0x0033).uses_finite_field_dh());
        assert!(suite(0x1301).is_tls13() && suite(0x1301).is_aead());
        assert!(!suite(0x002F).needs_tls12() && suite(0x003C).needs_tls12());
    }
}
