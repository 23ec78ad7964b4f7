//! Fake providers speaking the documented request and response shapes of AWS IAM/STS
//! (Query API, XML, SigV4 checked with this file's own implementation), GitLab,
//! Cloudflare, Twilio and a generic key API for http recipes. Each keeps its keys in
//! memory so tests can ask which values it accepts, and can be told to fail an action.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ring::digest::{SHA256, digest};
use ring::hmac;

use crate::http_stand_in::{Handler, Request, Response};

/// A failure a fake is told to produce for one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ServerError,
    /// Answers after 3 s; clients in tests use a 1 s timeout.
    Hang,
    MalformedJson,
}

#[derive(Default)]
pub struct Faults(Mutex<HashMap<String, Fault>>);

impl Faults {
    pub fn set(&self, action: &str, fault: Fault) {
        self.0.lock().unwrap().insert(action.to_owned(), fault);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    /// The injected failure for `action`, as a response, if one is set.
    fn answer(&self, action: &str, malformed: &str) -> Option<Response> {
        let fault = *self.0.lock().unwrap().get(action)?;
        Some(match fault {
            Fault::ServerError => Response::json(
                500,
                serde_json::json!({"message": "500 Internal Server Error"}),
            ),
            Fault::Hang => Response {
                delay: Some(Duration::from_secs(3)),
                ..Response::json(200, serde_json::json!({}))
            },
            Fault::MalformedJson => Response::text(200, malformed),
        })
    }
}

fn counter_id(counter: &AtomicU32, prefix: &str, width: usize) -> String {
    let n = counter.fetch_add(1, Ordering::SeqCst);
    format!("{prefix}{n:0width$}")
}

fn random_secret(length: usize) -> String {
    use ring::rand::SecureRandom;
    let mut bytes = vec![0u8; length];
    ring::rand::SystemRandom::new().fill(&mut bytes).unwrap();
    bytes.iter().map(|b| (b'a' + b % 26) as char).collect()
}

// ---------------------------------------------------------------- AWS IAM + STS

#[derive(Debug, Clone)]
pub struct AwsKey {
    pub id: String,
    pub secret: String,
    pub active: bool,
}

pub struct FakeAws {
    pub keys: Mutex<Vec<AwsKey>>,
    pub faults: Faults,
    counter: AtomicU32,
}

impl FakeAws {
    /// A user with one active key; returns the fake and that key as `id:secret`.
    pub fn new() -> (Arc<Self>, String) {
        let fake = Arc::new(Self {
            keys: Mutex::new(Vec::new()),
            faults: Faults::default(),
            counter: AtomicU32::new(1),
        });
        let value = fake.add_key();
        (fake, value)
    }

    pub fn add_key(&self) -> String {
        let key = AwsKey {
            id: counter_id(&self.counter, "AKIAFAKE", 12),
            secret: random_secret(40),
            active: true,
        };
        let value = format!("{}:{}", key.id, key.secret);
        self.keys.lock().unwrap().push(key);
        value
    }

    /// Whether `value` (`id:secret`) authenticates.
    pub fn accepts(&self, value: &str) -> bool {
        let Some((id, secret)) = value.split_once(':') else {
            return false;
        };
        self.keys
            .lock()
            .unwrap()
            .iter()
            .any(|key| key.id == id && key.secret == secret && key.active)
    }

    pub fn active_count(&self) -> usize {
        self.keys
            .lock()
            .unwrap()
            .iter()
            .filter(|key| key.active)
            .count()
    }

    pub fn handler(self: &Arc<Self>) -> Handler {
        let fake = self.clone();
        Arc::new(move |request| fake.handle(request))
    }

    fn error(status: u16, code: &str, message: &str) -> Response {
        Response::xml(
            status,
            format!(
                "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4f1c-fake</RequestId></ErrorResponse>"
            ),
        )
    }

    fn handle(&self, request: Request) -> Response {
        if request.method != "POST" || request.path != "/" {
            return Self::error(400, "InvalidAction", "only POST / is served");
        }
        let form = request.form();
        let action = form.get("Action").cloned().unwrap_or_default();
        let service = if action == "GetCallerIdentity" {
            "sts"
        } else {
            "iam"
        };
        let caller = match self.authenticate(&request, service) {
            Ok(caller) => caller,
            Err(response) => return response,
        };
        if let Some(response) = self
            .faults
            .answer(&action, "<CreateAccessKeyResponse><oops")
        {
            return response;
        }
        let mut keys = self.keys.lock().unwrap();
        match action.as_str() {
            "CreateAccessKey" => {
                if keys.len() >= 2 {
                    return Self::error(
                        409,
                        "LimitExceeded",
                        "Cannot exceed quota for AccessKeysPerUser: 2",
                    );
                }
                let key = AwsKey {
                    id: counter_id(&self.counter, "AKIAFAKE", 12),
                    secret: random_secret(40),
                    active: true,
                };
                let body = format!(
                    "<CreateAccessKeyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateAccessKeyResult><AccessKey><UserName>deploy</UserName><AccessKeyId>{}</AccessKeyId><Status>Active</Status><SecretAccessKey>{}</SecretAccessKey><CreateDate>2026-11-22T00:00:00Z</CreateDate></AccessKey></CreateAccessKeyResult><ResponseMetadata><RequestId>7a62c49f</RequestId></ResponseMetadata></CreateAccessKeyResponse>",
                    key.id, key.secret
                );
                keys.push(key);
                Response::xml(200, body)
            }
            "GetCallerIdentity" => Response::xml(
                200,
                format!(
                    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy</Arn><UserId>AIDAFAKE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{caller}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
                ),
            ),
            "UpdateAccessKey" | "DeleteAccessKey" => {
                let id = form.get("AccessKeyId").cloned().unwrap_or_default();
                let Some(position) = keys.iter().position(|key| key.id == id) else {
                    return Self::error(
                        404,
                        "NoSuchEntity",
                        &format!("The Access Key with id {id} cannot be found."),
                    );
                };
                if action == "DeleteAccessKey" {
                    keys.remove(position);
                } else {
                    keys[position].active =
                        form.get("Status").map(String::as_str) == Some("Active");
                }
                Response::xml(
                    200,
                    format!(
                        "<{action}Response><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{action}Response>"
                    ),
                )
            }
            other => Self::error(400, "InvalidAction", &format!("unknown action {other}")),
        }
    }

    /// Checks the SigV4 signature from scratch; returns the caller's key id.
    fn authenticate(&self, request: &Request, service: &str) -> Result<String, Response> {
        let denied = |code: &str, message: &str| Err(Self::error(403, code, message));
        let Some(authorization) = request.header("authorization") else {
            return denied(
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            );
        };
        let Some(rest) = authorization.strip_prefix("AWS4-HMAC-SHA256 ") else {
            return denied("IncompleteSignature", "unsupported algorithm");
        };
        let parts: HashMap<&str, &str> = rest
            .split(", ")
            .filter_map(|part| part.split_once('='))
            .collect();
        let (Some(credential), Some(signed_headers), Some(signature)) = (
            parts.get("Credential"),
            parts.get("SignedHeaders"),
            parts.get("Signature"),
        ) else {
            return denied(
                "IncompleteSignature",
                "missing Credential, SignedHeaders or Signature",
            );
        };
        let scope: Vec<&str> = credential.split('/').collect();
        if scope.len() != 5
            || scope[2] != "us-east-1"
            || scope[3] != service
            || scope[4] != "aws4_request"
        {
            return denied(
                "SignatureDoesNotMatch",
                "Credential should be scoped to a valid region and service",
            );
        }
        let key = self
            .keys
            .lock()
            .unwrap()
            .iter()
            .find(|key| key.id == scope[0])
            .cloned();
        let Some(key) = key.filter(|key| key.active) else {
            return denied(
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            );
        };
        let amz_date = request.header("x-amz-date").unwrap_or_default();
        let at = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
            .map(|at| at.and_utc());
        if at.map_or(true, |at| {
            (chrono::Utc::now() - at).num_minutes().abs() > 15
        }) || !amz_date.starts_with(scope[1])
        {
            return denied(
                "SignatureDoesNotMatch",
                "Signature expired or date does not match the scope",
            );
        }
        let mut canonical_headers = String::new();
        for name in signed_headers.split(';') {
            canonical_headers.push_str(&format!(
                "{name}:{}\n",
                request.header(name).unwrap_or_default().trim()
            ));
        }
        let canonical = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            request.method,
            request.path,
            request.query,
            canonical_headers,
            signed_headers,
            hex::encode(digest(&SHA256, request.body.as_bytes()))
        );
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/{}/aws4_request\n{}",
            scope[1],
            scope[2],
            scope[3],
            hex::encode(digest(&SHA256, canonical.as_bytes()))
        );
        let mac = |key: &[u8], data: &str| {
            hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
                .as_ref()
                .to_vec()
        };
        let mut signing = mac(format!("AWS4{}", key.secret).as_bytes(), scope[1]);
        for part in [scope[2], scope[3], "aws4_request"] {
            signing = mac(&signing, part);
        }
        if hex::encode(mac(&signing, &string_to_sign)) != *signature {
            return denied(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            );
        }
        Ok(key.id)
    }
}

// ---------------------------------------------------------------- token-style providers

/// Tokens of GitLab, Cloudflare and the recipe API: id, value, active.
#[derive(Debug, Clone)]
pub struct Token {
    pub id: String,
    pub value: String,
    pub active: bool,
}

pub struct FakeTokens {
    pub tokens: Mutex<Vec<Token>>,
    pub faults: Faults,
    counter: AtomicU32,
    prefix: &'static str,
    /// The recipe API allows this many active keys at once.
    pub limit: usize,
}

impl FakeTokens {
    pub fn new(prefix: &'static str) -> (Arc<Self>, String) {
        let fake = Arc::new(Self {
            tokens: Mutex::new(Vec::new()),
            faults: Faults::default(),
            counter: AtomicU32::new(1),
            prefix,
            limit: 2,
        });
        let value = fake.issue().value;
        (fake, value)
    }

    fn issue(&self) -> Token {
        let token = Token {
            id: counter_id(&self.counter, "", 1),
            value: format!("{}{}", self.prefix, random_secret(24)),
            active: true,
        };
        self.tokens.lock().unwrap().push(token.clone());
        token
    }

    pub fn accepts(&self, value: &str) -> bool {
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .any(|token| token.value == value && token.active)
    }

    pub fn active_count(&self) -> usize {
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .filter(|token| token.active)
            .count()
    }

    fn find(&self, value: Option<&str>) -> Option<Token> {
        let value = value?;
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .find(|token| token.value == value && token.active)
            .cloned()
    }

    /// GitLab REST API v4: self-rotate and self-inspect.
    pub fn gitlab(self: &Arc<Self>) -> Handler {
        let fake = self.clone();
        Arc::new(move |request| {
            let unauthorized =
                Response::json(401, serde_json::json!({"message": "401 Unauthorized"}));
            let Some(caller) = fake.find(request.header("private-token")) else {
                return unauthorized;
            };
            let action = format!("{} {}", request.method, request.path);
            if let Some(response) = fake.faults.answer(&action, "{\"token\": ") {
                return response;
            }
            match (request.method.as_str(), request.path.as_str()) {
                ("POST", "/api/v4/personal_access_tokens/self/rotate") => {
                    let body: serde_json::Value =
                        serde_json::from_str(&request.body).unwrap_or_default();
                    let Some(expires_at) = body.get("expires_at").and_then(|value| value.as_str())
                    else {
                        return Response::json(
                            400,
                            serde_json::json!({"error": "expires_at is missing"}),
                        );
                    };
                    fake.tokens
                        .lock()
                        .unwrap()
                        .iter_mut()
                        .filter(|token| token.id == caller.id)
                        .for_each(|token| token.active = false);
                    let new = fake.issue();
                    Response::json(
                        200,
                        serde_json::json!({
                            "id": new.id.parse::<u64>().unwrap(), "name": "ci", "revoked": false, "created_at": "2026-11-22T00:00:00.000Z",
                            "scopes": ["api"], "user_id": 7, "active": true, "expires_at": expires_at, "token": new.value,
                        }),
                    )
                }
                ("GET", "/api/v4/personal_access_tokens/self") => Response::json(
                    200,
                    serde_json::json!({
                        "id": caller.id.parse::<u64>().unwrap(), "name": "ci", "revoked": false, "active": true, "scopes": ["api"],
                    }),
                ),
                _ => Response::json(404, serde_json::json!({"message": "404 Not Found"})),
            }
        })
    }

    /// Cloudflare API v4: verify and roll user tokens.
    pub fn cloudflare(self: &Arc<Self>) -> Handler {
        let fake = self.clone();
        Arc::new(move |request| {
            let envelope = |status, errors: serde_json::Value, result: serde_json::Value| {
                let success = status == 200;
                Response::json(
                    status,
                    serde_json::json!({"success": success, "errors": errors, "messages": [], "result": result}),
                )
            };
            let Some(caller) = fake.find(request.bearer()) else {
                return envelope(
                    401,
                    serde_json::json!([{"code": 1000, "message": "Invalid API Token"}]),
                    serde_json::Value::Null,
                );
            };
            let action = format!("{} {}", request.method, request.path);
            if let Some(response) = fake
                .faults
                .answer(&action, "{\"success\": true, \"result\"")
            {
                return response;
            }
            if request.method == "GET" && request.path == "/client/v4/user/tokens/verify" {
                return envelope(
                    200,
                    serde_json::json!([]),
                    serde_json::json!({"id": caller.id, "status": "active"}),
                );
            }
            let roll = request
                .path
                .strip_prefix("/client/v4/user/tokens/")
                .and_then(|rest| rest.strip_suffix("/value"));
            match (request.method.as_str(), roll) {
                ("PUT", Some(id)) => {
                    let mut tokens = fake.tokens.lock().unwrap();
                    let Some(token) = tokens
                        .iter_mut()
                        .find(|token| token.id == id && token.active)
                    else {
                        return envelope(
                            404,
                            serde_json::json!([{"code": 1003, "message": "Token not found"}]),
                            serde_json::Value::Null,
                        );
                    };
                    token.value = format!("{}{}", fake.prefix, random_secret(24));
                    let value = token.value.clone();
                    envelope(200, serde_json::json!([]), serde_json::Value::String(value))
                }
                _ => envelope(
                    404,
                    serde_json::json!([{"code": 7003, "message": "No route for that URI"}]),
                    serde_json::Value::Null,
                ),
            }
        })
    }

    /// A generic key API for http recipes: create with the current key, check, delete.
    pub fn key_api(self: &Arc<Self>) -> Handler {
        let fake = self.clone();
        Arc::new(move |request| {
            let unauthorized = Response::json(401, serde_json::json!({"error": "invalid key"}));
            let Some(_caller) = fake.find(request.bearer()) else {
                return unauthorized;
            };
            let action = format!(
                "{} {}",
                request.method,
                request
                    .path
                    .split('/')
                    .take(3)
                    .collect::<Vec<_>>()
                    .join("/")
            );
            if let Some(response) = fake.faults.answer(&action, "{\"key\": {\"secret\": ") {
                return response;
            }
            match (request.method.as_str(), request.path.as_str()) {
                ("POST", "/v1/keys") => {
                    if fake.active_count() >= fake.limit {
                        return Response::json(
                            429,
                            serde_json::json!({"error": "key limit reached: at most 2 active keys"}),
                        );
                    }
                    let new = fake.issue();
                    Response::json(
                        201,
                        serde_json::json!({"key": {"id": new.id, "secret": new.value}}),
                    )
                }
                ("GET", "/v1/me") => Response::json(200, serde_json::json!({"ok": true})),
                ("DELETE", path) if path.starts_with("/v1/keys/") => {
                    let id = &path["/v1/keys/".len()..];
                    let mut tokens = fake.tokens.lock().unwrap();
                    match tokens
                        .iter_mut()
                        .find(|token| token.id == id && token.active)
                    {
                        Some(token) => {
                            token.active = false;
                            Response::json(200, serde_json::json!({"deleted": id}))
                        }
                        None => Response::json(404, serde_json::json!({"error": "no such key"})),
                    }
                }
                _ => Response::json(404, serde_json::json!({"error": "not found"})),
            }
        })
    }
}

/// The recipe for [`FakeTokens::key_api`] at `base`.
pub fn key_api_recipe(base: &str) -> String {
    format!(
        r#"
[create]
method = "POST"
url = "{base}/v1/keys"
headers = {{ Authorization = "Bearer {{{{current}}}}" }}
body = '{{"name": "{{{{name}}}} {{{{date}}}}"}}'
secret_pointer = "/key/secret"
id_pointer = "/key/id"

[verify]
url = "{base}/v1/me"
headers = {{ Authorization = "Bearer {{{{new}}}}" }}

[revoke]
method = "DELETE"
url = "{base}/v1/keys/{{{{id}}}}"
headers = {{ Authorization = "Bearer {{{{auth}}}}" }}
"#
    )
}

// ---------------------------------------------------------------- Twilio

pub struct FakeTwilio {
    pub account: String,
    /// sid -> secret
    pub keys: Mutex<Vec<(String, String)>>,
    pub faults: Faults,
    counter: AtomicU32,
}

impl FakeTwilio {
    pub fn new() -> (Arc<Self>, String) {
        let fake = Arc::new(Self {
            account: "AC00000000000000000000000000000001".into(),
            keys: Mutex::new(Vec::new()),
            faults: Faults::default(),
            counter: AtomicU32::new(1),
        });
        let value = fake.issue();
        (fake, value)
    }

    fn issue(&self) -> String {
        let sid = counter_id(&self.counter, "SK", 32);
        let secret = random_secret(32);
        self.keys
            .lock()
            .unwrap()
            .push((sid.clone(), secret.clone()));
        format!("{sid}:{secret}")
    }

    pub fn accepts(&self, value: &str) -> bool {
        let Some((sid, secret)) = value.split_once(':') else {
            return false;
        };
        self.keys
            .lock()
            .unwrap()
            .iter()
            .any(|(s, k)| s == sid && k == secret)
    }

    pub fn key_count(&self) -> usize {
        self.keys.lock().unwrap().len()
    }

    pub fn handler(self: &Arc<Self>) -> Handler {
        let fake = self.clone();
        Arc::new(move |request| {
            let error = |status: u16, code: u32, message: &str| {
                Response::json(
                    status,
                    serde_json::json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status}),
                )
            };
            let authenticated = request
                .basic()
                .is_some_and(|(sid, secret)| fake.accepts(&format!("{sid}:{secret}")));
            if !authenticated {
                return error(401, 20003, "Authenticate");
            }
            let account = format!("/2010-04-01/Accounts/{}", fake.account);
            let action = if request.path.contains("/Keys") {
                format!("{} Keys", request.method)
            } else {
                format!("{} Account", request.method)
            };
            if let Some(response) = fake.faults.answer(&action, "{\"sid\": ") {
                return response;
            }
            if request.method == "GET" && request.path == format!("{account}.json") {
                return Response::json(
                    200,
                    serde_json::json!({"sid": fake.account, "status": "active", "friendly_name": "Fake"}),
                );
            }
            if request.method == "POST" && request.path == format!("{account}/Keys.json") {
                let name = request
                    .form()
                    .get("FriendlyName")
                    .cloned()
                    .unwrap_or_default();
                let value = fake.issue();
                let (sid, secret) = value.split_once(':').unwrap();
                return Response::json(
                    201,
                    serde_json::json!({
                        "sid": sid, "friendly_name": name, "date_created": "Sun, 22 Nov 2026 00:00:00 +0000",
                        "date_updated": "Sun, 22 Nov 2026 00:00:00 +0000", "secret": secret,
                    }),
                );
            }
            if request.method == "DELETE"
                && let Some(sid) = request
                    .path
                    .strip_prefix(&format!("{account}/Keys/"))
                    .and_then(|rest| rest.strip_suffix(".json"))
            {
                let mut keys = fake.keys.lock().unwrap();
                let before = keys.len();
                keys.retain(|(s, _)| s != sid);
                return if keys.len() < before {
                    Response::text(204, "")
                } else {
                    error(404, 20404, "The requested resource was not found")
                };
            }
            error(404, 20404, "The requested resource was not found")
        })
    }
}
