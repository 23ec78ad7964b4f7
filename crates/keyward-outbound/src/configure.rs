//! The rules every client shares, applied to reqwest's async and blocking builders
//! alike (they are different types with the same methods, hence a macro).

/// Applies `policy` (a `&Policy`) and the TLS `config` to a reqwest `ClientBuilder` and builds it:
/// no proxy from the environment (only the policy's explicit one), no redirects (a
/// redirect to another host must not take a credential along), connect and total time
/// limits, HTTP/1.1 over the given rustls configuration.
macro_rules! build_client {
    ($builder:expr, $policy:expr, $config:expr) => {{
        let policy = $policy;
        let mut config: ::rustls::ClientConfig = $config;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let mut builder = $builder
            .no_proxy()
            .redirect(::reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .pool_max_idle_per_host(2)
            .http1_only()
            .tcp_nodelay(true)
            .user_agent(policy.user_agent.as_str())
            .tls_backend_preconfigured(config);
        if let Some(proxy) = &policy.proxy {
            let proxy = proxy
                .to_reqwest()
                .map_err(|error| $crate::OutboundError::Client(error.to_string()))?;
            builder = builder.proxy(proxy);
        }
        builder
            .build()
            .map_err(|error| $crate::OutboundError::Client($crate::redact(&error.to_string())))
    }};
}

pub(crate) use build_client;
