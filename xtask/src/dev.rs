//! `cargo xtask dev`: the widget, the function and the Stripe sandbox on this machine.

use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::process::{execute, root, step};
use crate::{tools, widget};

struct Ports {
    function: u16,
    sandbox: u16,
}

fn parse(args: &[String]) -> Result<Ports, String> {
    let mut ports = Ports {
        function: 8080,
        sandbox: 12111,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a port number"))?;
        let port: u16 = value
            .parse()
            .map_err(|_| format!("{flag} `{value}`: use a port number"))?;
        match flag.as_str() {
            "--port" => ports.function = port,
            "--sandbox-port" => ports.sandbox = port,
            _ => {
                return Err(format!(
                    "unknown option `{flag}`: use --port or --sandbox-port"
                ));
            }
        }
    }
    Ok(ports)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let ports = parse(args)?;
    tools::ensure_wasm_tools()?;
    widget::build_release()?;
    step("building the function and the sandbox");
    execute(Command::new("cargo").args([
        "build",
        "--package",
        "stripe-sandbox",
        "--package",
        "connect-checkout-function",
    ]))?;

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|error| format!("cannot watch for Ctrl-C: {error}"))?;

    let binaries = root().join("target/debug");
    let sandbox_url = format!("http://127.0.0.1:{}", ports.sandbox);
    step(&format!("starting the Stripe sandbox on {sandbox_url}"));
    // The sandbox delivers signed webhooks to the function, as Stripe would.
    let webhook_url = format!("http://127.0.0.1:{}/api/webhooks", ports.function);
    let sandbox = Command::new(binaries.join("stripe-sandbox"))
        .args([
            "--port",
            &ports.sandbox.to_string(),
            "--webhook-url",
            &webhook_url,
        ])
        .spawn()
        .map_err(|error| format!("cannot start the sandbox: {error}"))?;
    let mut children = vec![("sandbox", sandbox)];
    let result = (|| {
        wait_for_port(ports.sandbox, &stop)?;
        let function_url = format!("http://127.0.0.1:{}", ports.function);
        step(&format!("starting the function on {function_url}"));
        // No STRIPE_SECRET_KEY: the function runs in sandbox mode and asks the sandbox for keys.
        let function = Command::new(binaries.join("connect-checkout"))
            .args(["serve", "--port", &ports.function.to_string()])
            .env_remove("STRIPE_SECRET_KEY")
            .env_remove("STRIPE_SECRET_KEY_FILE")
            .env("STRIPE_API_BASE", &sandbox_url)
            .env("WIDGET_DIR", root().join("dist"))
            .spawn()
            .map_err(|error| format!("cannot start the function: {error}"))?;
        children.push(("function", function));
        wait_for_port(ports.function, &stop)?;
        println!();
        println!("  shop (widget + function)  {function_url}");
        println!("  Stripe sandbox            {sandbox_url}  (admin: {sandbox_url}/_sandbox)");
        println!("  test card                 4242 4242 4242 4242, any future date, any CVC");
        println!("  Ctrl-C stops both.");
        println!();
        supervise(&mut children, &stop)
    })();
    shut_down(&mut children);
    result
}

fn wait_for_port(port: u16, stop: &AtomicBool) -> Result<(), String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if stop.load(Ordering::SeqCst) {
            return Err("interrupted".into());
        }
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "nothing answered on port {port} within 30 s (is the port taken?)"
    ))
}

/// Waits until Ctrl-C or until a child exits on its own (which is an error).
fn supervise(children: &mut [(&str, Child)], stop: &AtomicBool) -> Result<(), String> {
    loop {
        if stop.load(Ordering::SeqCst) {
            println!("\nstopping…");
            return Ok(());
        }
        for (name, child) in children.iter_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("the {name} stopped unexpectedly ({status})"));
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn shut_down(children: &mut [(&str, Child)]) {
    let mut running: Vec<(&str, &mut Child)> = children
        .iter_mut()
        .map(|(name, child)| (*name, child))
        .collect();
    crate::stack::stop_all(&mut running);
}
