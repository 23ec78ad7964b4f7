//! A redirect is handed back to the caller, never followed: it must not take a
//! credential along to wherever it points.

use keyward_outbound::{Destination, Policy, Trust};
use reqwest::Method;

use super::support::{Server, credential, handler, ok, respond};

#[test]
fn a_302_to_another_host_is_not_followed() {
    let elsewhere = Server::plain(ok("followed"));
    let location = elsewhere.url("http", "localhost", "/collect");
    let shown = location.clone();
    let origin = Server::plain(handler(move |_, out| {
        respond(out, "302 Found", &[("Location", &location)], "")
    }));
    let url = origin.url("http", "127.0.0.1", "/v1/keys");
    // Even a host the credential may go to is not followed to.
    let destination = Destination::of(&credential(&["127.0.0.1", "localhost"], true));

    let blocking = Policy::default()
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    let reply = blocking
        .send_to(
            &destination,
            blocking
                .request(Method::POST, &url)
                .bearer_auth("not-for-elsewhere"),
        )
        .unwrap();
    assert_eq!(reply.status, 302);
    assert_eq!(reply.header("location"), Some(shown.as_str()));

    let client = Policy::default().client(&Trust::platform(), None).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let reply = runtime
        .block_on(client.send_to(
            &destination,
            client.get(&url).bearer_auth("not-for-elsewhere"),
        ))
        .unwrap();
    assert_eq!(reply.status, 302);

    assert_eq!(origin.connections(), 2);
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
}
