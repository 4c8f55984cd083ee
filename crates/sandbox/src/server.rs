//! The accept loop behind [`crate::spawn`]. It does what `axum::serve` does (HTTP/1.1, the
//! peer address as `ConnectInfo`, graceful shutdown) plus one thing it cannot: a request may
//! ask for its connection to be closed without an answer ([`ConnectionControl`]), which is
//! how the `drop_connection` fault looks to a client: a reset, not a status code.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::Service;

/// Put in every request's extensions: lets a handler drop the connection it came on.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionControl {
    drop: Arc<Notify>,
}

impl ConnectionControl {
    /// Closes the connection without a response. The caller must not answer (it should wait
    /// forever): the connection task drops the request with the connection.
    pub fn drop_connection(&self) {
        self.drop.notify_one();
    }
}

/// Serves `router` on `listener` until `stop` resolves, then lets requests in flight finish
/// (idle keep-alive connections close at once).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, peer, router.clone(), shutdown_rx.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = shutdown_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let control = ConnectionControl {
        drop: Arc::new(Notify::new()),
    };
    let dropped = control.drop.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(control.clone());
        let mut router = router.clone();
        async move { router.call(req).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut shutting_down = false;
    loop {
        tokio::select! {
            biased;
            () = dropped.notified() => {
                // Dropping the connection future closes the socket, unanswered.
                tracing::debug!(%peer, "connection dropped by a fault");
                return;
            }
            _ = shutdown.changed(), if !shutting_down => {
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
            }
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
        }
    }
}
