//! The client over TLS with an rcgen CA: certificate verification, HTTP/2 via ALPN, the
//! bearer token, and a kubeconfig carrying the CA data.
// Integration tests (helpers included) may panic on broken fixtures.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use common::Fake;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use k8s_openapi::api::core::v1::Pod;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rkube_client::{Api, Client, Config, Error, KubeConfigOptions, Kubeconfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

struct Pki {
    ca_pem: String,
    ca_der: Vec<u8>,
    server_config: Arc<rustls::ServerConfig>,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "rkube-test-ca");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Pki {
        ca_pem: ca.pem(),
        ca_der: ca.der().to_vec(),
        server_config: Arc::new(server_config),
    }
}

/// Serves `fake` over TLS (HTTP/1.1 or HTTP/2 as ALPN decides) on a free loopback port;
/// the counter counts accepted TCP connections.
async fn serve_tls(
    fake: &Fake,
    config: Arc<rustls::ServerConfig>,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let router = fake.router();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let service = TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                // Handshake failures (the client refusing our certificate) just end the connection.
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                }
            });
        }
    });
    (addr, accepted)
}

#[tokio::test]
async fn tls_with_ca_http2_and_bearer_token() {
    let pki = pki();
    let fake = Fake::with_token("s3cret");
    let (addr, accepted) = serve_tls(&fake, pki.server_config.clone()).await;

    // Through a kubeconfig, as `rkube up` writes it.
    let yaml = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: rkube\n\
         clusters:\n- name: rkube\n  cluster:\n    server: https://127.0.0.1:{port}\n    certificate-authority-data: {ca}\n\
         contexts:\n- name: rkube\n  context:\n    cluster: rkube\n    user: admin\n    namespace: apps\n\
         users:\n- name: admin\n  user:\n    token: s3cret\n",
        port = addr.port(),
        ca = base64::engine::general_purpose::STANDARD.encode(&pki.ca_pem),
    );
    let kc = Kubeconfig::from_yaml(&yaml).unwrap();
    let config = Config::from_custom_kubeconfig(&kc, &KubeConfigOptions::default()).unwrap();
    assert_eq!(config.root_certs, vec![pki.ca_der.clone()]);
    let client = Client::try_from_config(config).unwrap();
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let p = pods.get("web").await.unwrap();
    assert_eq!(p.metadata.namespace.as_deref(), Some("apps"));
    let rec = fake.last();
    assert_eq!(rec.version, http::Version::HTTP_2, "ALPN negotiates HTTP/2");
    assert_eq!(rec.headers["authorization"], "Bearer s3cret");

    // Concurrent requests share the pool (and the one HTTP/2 connection once it is up).
    let results = futures::future::join_all((0..20).map(|i| {
        let pods = pods.clone();
        async move { pods.get(&format!("p{i}")).await }
    }))
    .await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "all requests multiplexed on one HTTP/2 connection"
    );

    // Without the token: 401 with a Status.
    let mut no_token = Config::from_url(&format!("https://127.0.0.1:{}", addr.port())).unwrap();
    no_token.root_certs = vec![pki.ca_der.clone()];
    let anon = Client::try_from_config(no_token.clone()).unwrap();
    let err = Api::<Pod>::namespaced(anon, "apps")
        .get("web")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(
        err.status().unwrap().reason.as_deref(),
        Some("Unauthorized")
    );

    // Wrong token: 401 too.
    let mut wrong = no_token.clone();
    wrong.token = Some("nope".into());
    let err = Api::<Pod>::namespaced(Client::try_from_config(wrong).unwrap(), "apps")
        .get("web")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
}

#[tokio::test]
async fn tls_rejects_an_unknown_ca_unless_insecure() {
    let pki = pki();
    let other = pki_other_ca();
    let fake = Fake::new();
    let (addr, _) = serve_tls(&fake, pki.server_config.clone()).await;
    let url = format!("https://127.0.0.1:{}", addr.port());

    let mut config = Config::from_url(&url).unwrap();
    config.root_certs = vec![other];
    let client = Client::try_from_config(config).unwrap();
    let err = Api::<Pod>::namespaced(client, "x")
        .get("web")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(
        fake.requests.lock().unwrap().is_empty(),
        "no request got through"
    );

    // The certificate names localhost and 127.0.0.1, not other.example.
    let mut config = Config::from_url(&url).unwrap();
    config.root_certs = vec![pki.ca_der.clone()];
    config.tls_server_name = Some("other.example".into());
    let client = Client::try_from_config(config.clone()).unwrap();
    let err = Api::<Pod>::namespaced(client, "x")
        .get("web")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    config.tls_server_name = Some("localhost".into());
    let client = Client::try_from_config(config).unwrap();
    assert!(Api::<Pod>::namespaced(client, "x").get("web").await.is_ok());

    let mut config = Config::from_url(&url).unwrap();
    config.accept_invalid_certs = true;
    let client = Client::try_from_config(config).unwrap();
    let p = Api::<Pod>::namespaced(client, "x")
        .get("web")
        .await
        .unwrap();
    assert_eq!(p.metadata.name.as_deref(), Some("web"));
}

fn pki_other_ca() -> Vec<u8> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "someone-else");
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    CertificateDer::from(ca.der().to_vec()).to_vec()
}

#[tokio::test]
async fn client_certificate_from_kubeconfig_for_mutual_tls() {
    // A server that demands client certificates signed by a client CA.
    let mut client_ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let client_ca =
        CertifiedIssuer::self_signed(client_ca_params, KeyPair::generate().unwrap()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(client_ca.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &client_ca)
        .unwrap();
    let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let fake = Fake::new();
    let (addr, _) = serve_tls(&fake, Arc::new(server_config)).await;

    let user_key = KeyPair::generate().unwrap();
    let mut user_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    user_params
        .distinguished_name
        .push(DnType::CommonName, "admin");
    let user_cert = user_params.signed_by(&user_key, &client_ca).unwrap();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let kubeconfig = |with_cert: bool| {
        let user = if with_cert {
            format!(
                "{{client-certificate-data: {}, client-key-data: {}}}",
                b64(&user_cert.pem()),
                b64(&user_key.serialize_pem())
            )
        } else {
            "{}".to_owned()
        };
        format!(
            "current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:{}\n    certificate-authority-data: {}\n\
             contexts:\n- name: c\n  context: {{cluster: k, user: u}}\n\
             users:\n- name: u\n  user: {user}\n",
            addr.port(),
            b64(&client_ca.pem()),
        )
    };
    let client_for = |with_cert: bool| {
        let kc = Kubeconfig::from_yaml(&kubeconfig(with_cert)).unwrap();
        let cfg = Config::from_custom_kubeconfig(&kc, &KubeConfigOptions::default()).unwrap();
        assert_eq!(cfg.client_identity.is_some(), with_cert);
        Client::try_from_config(cfg).unwrap()
    };

    let err = Api::<Pod>::namespaced(client_for(false), "x")
        .get("web")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let p = Api::<Pod>::namespaced(client_for(true), "x")
        .get("web")
        .await
        .unwrap();
    assert_eq!(p.metadata.name.as_deref(), Some("web"));
}
