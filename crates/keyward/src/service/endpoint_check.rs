//! Whether an endpoint accepts a candidate value: the probe's auth request, used by
//! rotation to prove a new key works before it becomes current.

use url::Url;

use super::{Keyward, Posture};
use crate::Result;
use crate::model::{AuthMethod, Credential, SecretValue};
use crate::probe::http::auth::authorized;
use crate::probe::http::client::{self, send};
use crate::probe::tls::TrustStore;
use crate::probe::{CredentialUse, Timeouts};
use crate::rotate::CredentialCheck;

/// The endpoints a credential is used at, with the way each expects it.
pub struct EndpointCheck {
    endpoints: Vec<(Url, AuthMethod)>,
    trust: TrustStore,
    timeouts: Timeouts,
}

impl EndpointCheck {
    pub fn new(endpoints: Vec<(Url, AuthMethod)>, trust: TrustStore, timeouts: Timeouts) -> Self {
        Self {
            endpoints,
            trust,
            timeouts,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }
}

impl CredentialCheck for EndpointCheck {
    /// One authenticated GET per endpoint, through the verifying client and only where
    /// the credential may go (allowed host, TLS unless allowed otherwise). A 4xx answer
    /// means the value was refused.
    fn check(&self, credential: &Credential, value: &SecretValue) -> Result<(), String> {
        if self.endpoints.is_empty() {
            return Ok(());
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("cannot start the network runtime: {error}"))?;
        for (url, method) in &self.endpoints {
            if matches!(method, AuthMethod::None | AuthMethod::Mtls) {
                continue;
            }
            let usage = CredentialUse::authorize(credential, method.clone(), value.clone(), url)
                .map_err(|refusal| refusal.to_string())?;
            let text = usage.value().expose_str().ok_or_else(|| {
                format!(
                    "credential `{}` is not text and cannot be sent as {method}",
                    credential.name
                )
            })?;
            let client = client::verifying(self.timeouts, &self.trust, None)?;
            let answer = runtime.block_on(send(authorized(&client, url, method, text)))?;
            if answer.refused() {
                return Err(format!(
                    "{} refused the new value (HTTP {})",
                    origin(url),
                    answer.status
                ));
            }
        }
        Ok(())
    }
}

/// Scheme, host and port only: paths and queries can carry values.
pub(super) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Posture<'_> {
    /// The check rotation runs before committing a new value of `name`: every endpoint of
    /// every integration that names this credential. Empty when none does.
    pub fn endpoint_check(&self, name: &str) -> Result<EndpointCheck> {
        let endpoints = self.endpoints_using(name)?;
        // The CA the user gave for this credential's rotation (a self-hosted service) is
        // trusted for its endpoints too, on top of the system roots.
        let trust = match self.rotation_setup(name)?.ca_file {
            Some(path) => {
                let pem = std::fs::read(&path).map_err(|error| {
                    crate::Error::invalid(
                        path.display().to_string(),
                        format!("cannot read the CA: {error}"),
                    )
                })?;
                TrustStore::with_custom_ca(&pem)
                    .map_err(|problem| crate::Error::invalid(path.display().to_string(), problem))?
            }
            None => TrustStore::system(),
        };
        Ok(EndpointCheck::new(endpoints, trust, Timeouts::default()))
    }
}

impl Keyward {
    /// Every endpoint of every integration that names credential `name`, with its auth.
    /// Each is checked against its MAC: one redirected outside Keyward is refused.
    pub(super) fn endpoints_using(&self, name: &str) -> Result<Vec<(Url, AuthMethod)>> {
        self.integrity()?;
        let mut endpoints = Vec::new();
        for integration in self.list_integrations()? {
            for endpoint in integration.endpoints {
                if endpoint.credential.as_deref() == Some(name) {
                    crate::store::integrations::check_endpoint(
                        self.store.connection(),
                        endpoint.id,
                    )?;
                    if let Ok(url) = Url::parse(&endpoint.url) {
                        endpoints.push((url, endpoint.auth));
                    }
                }
            }
        }
        Ok(endpoints)
    }
}
