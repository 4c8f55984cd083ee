//! Secret-key rotation on a long-running server: when the file named by
//! `STRIPE_SECRET_KEY_FILE` changes, the client switches to the new key without a restart.
//! Calls already in flight finish with the key they started with; Stripe's roll overlap keeps
//! both keys valid meanwhile. (On Lambda a new deployment or a secrets-manager read at cold
//! start does the same; see the README.)

use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::keys::SecretKey;
use crate::stripe::StripeClient;

/// Checks `path` every `interval` and switches `client` to the key it holds when it changes.
/// A file that cannot be read or holds no valid key leaves the current key in use.
pub fn watch_key_file(path: PathBuf, client: StripeClient, interval: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_complaint = String::new();
        loop {
            tokio::time::sleep(interval).await;
            let complaint = match check(&path, &client).await {
                Ok(()) => String::new(),
                Err(complaint) => complaint,
            };
            // Say each problem once, not every few seconds.
            if !complaint.is_empty() && complaint != last_complaint {
                tracing::error!(file = %path.display(), "{complaint}; still using the current key");
            }
            last_complaint = complaint;
        }
    })
}

async fn check(path: &PathBuf, client: &StripeClient) -> Result<(), String> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|error| format!("cannot read the secret key file: {error}"))?;
    let current = client.secret_key();
    if current.is(text.trim()) {
        return Ok(());
    }
    let new =
        SecretKey::parse("STRIPE_SECRET_KEY_FILE", &text).map_err(|error| error.to_string())?;
    if new.mode() != current.mode() {
        return Err(format!(
            "the new key {} is a {} key but the function runs in {} mode; restart to change modes",
            new.fingerprint(),
            new.mode(),
            current.mode()
        ));
    }
    tracing::info!(old = %current.fingerprint(), new = %new.fingerprint(), "secret key rotated");
    client.replace_secret_key(new);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::stripe::retry::RetryPolicy;

    const OLD: &str = "sk_test_51Abcdefghijklmnopqrstuvwxyz0123abcd";
    const NEW: &str = "sk_test_51Abcdefghijklmnopqrstuvwxyz0123wxyz";

    #[tokio::test]
    async fn a_changed_key_file_switches_the_client_and_a_bad_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret-key");
        std::fs::write(&path, OLD).unwrap();
        let client = StripeClient::new(
            "http://127.0.0.1:9",
            SecretKey::parse("K", OLD).unwrap(),
            RetryPolicy::default(),
        );
        let watcher = watch_key_file(path.clone(), client.clone(), Duration::from_millis(20));

        std::fs::write(&path, format!("{NEW}\n")).unwrap();
        wait_for(|| client.secret_key().fingerprint() == "sk_test_…wxyz").await;

        std::fs::write(&path, "pk_test_51Abcdefghijklmnopqrstuvwxyz0123abcd").unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            client.secret_key().fingerprint(),
            "sk_test_…wxyz",
            "a publishable key is refused"
        );

        std::fs::write(
            &path,
            concat!("sk_live", "_51Abcdefghijklmnopqrstuvwxyz0123abcd"),
        )
        .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            client.secret_key().fingerprint(),
            "sk_test_…wxyz",
            "modes never switch live"
        );
        watcher.abort();
    }

    async fn wait_for(done: impl Fn() -> bool) {
        for _ in 0..100 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out");
    }
}
