//! The SAM template gives the pages CloudFront serves from S3 the security headers the local
//! server gives them: a Content-Security-Policy with frame-ancestors, HSTS and nosniff.
//!
//! The template uses CloudFormation's tags (`!Ref`, `!Sub`), which YAML readers without a
//! schema for them refuse, so this reads it as indented text: each resource is the block under
//! its name, and a property is the text after its key within that block.

#![allow(clippy::expect_used, clippy::unwrap_used)]

fn template() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/template.yaml");
    std::fs::read_to_string(path).unwrap()
}

/// The lines of the block that starts at the line `header` (exactly, after its indent), up
/// to the next line indented as little or less.
fn block<'a>(text: &'a str, header: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.trim_end() == header || line.trim() == header.trim())
        .unwrap_or_else(|| panic!("no `{}` in the template", header.trim()));
    let indent = lines[start].len() - lines[start].trim_start().len();
    lines[start + 1..]
        .iter()
        .take_while(|line| line.trim().is_empty() || line.len() - line.trim_start().len() > indent)
        .copied()
        .collect()
}

/// The value after `key:` in `lines`, if one line has it.
fn value<'a>(lines: &[&'a str], key: &str) -> Option<&'a str> {
    lines.iter().find_map(|line| {
        line.trim()
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(str::trim)
    })
}

#[test]
fn the_pages_from_s3_get_a_csp_frame_ancestors_hsts_and_nosniff() {
    let text = template();
    let resources = block(&text, "Resources:");
    let resources = resources.join("\n");

    // The default behaviour (the S3 origin, the pages) names a response-headers policy...
    let distribution = block(&resources, "  Distribution:").join("\n");
    let default = block(&distribution, "        DefaultCacheBehavior:");
    assert_eq!(value(&default, "TargetOriginId"), Some("widget"));
    let policy_ref = value(&default, "ResponseHeadersPolicyId")
        .expect("the pages' behaviour attaches a response headers policy");
    let policy_name = policy_ref
        .strip_prefix("!Ref ")
        .expect("the policy is one of this template's resources");

    // ...which is a ResponseHeadersPolicy with every header overriding S3's.
    let policy = block(&resources, &format!("  {policy_name}:"));
    let policy_text = policy.join("\n");
    assert_eq!(
        value(&policy, "Type"),
        Some("AWS::CloudFront::ResponseHeadersPolicy")
    );
    let csp_block = block(&policy_text, "          ContentSecurityPolicy:");
    assert_eq!(value(&csp_block, "Override"), Some("true"));
    let csp = value(&csp_block, "ContentSecurityPolicy").expect("a CSP value");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com",
    ] {
        assert!(
            csp.contains(directive),
            "the CSP lacks `{directive}`: {csp}"
        );
    }
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    assert!(!csp.contains("script-src *"), "{csp}");

    let hsts = block(&policy_text, "          StrictTransportSecurity:");
    let max_age: u64 = value(&hsts, "AccessControlMaxAgeSec")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        max_age >= 31_536_000,
        "HSTS for at least a year, not {max_age} s"
    );
    assert_eq!(value(&hsts, "Override"), Some("true"));
    let nosniff = block(&policy_text, "          ContentTypeOptions:");
    assert_eq!(value(&nosniff, "Override"), Some("true"));
    let frames = block(&policy_text, "          FrameOptions:");
    assert_eq!(value(&frames, "FrameOption"), Some("DENY"));
}
