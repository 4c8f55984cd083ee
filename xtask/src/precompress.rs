//! Brotli and gzip copies of the built widget's files, written next to them at build time
//! (`index.html.br`, `index.html.gz`), so that the function's `serve` sends what a CDN would
//! without compressing on every request: brotli quality 11 is far too slow to run per
//! request, and these are the exact bytes `bench/budgets.toml` measures.

use std::fs;
use std::io::Write;
use std::path::Path;

/// The types worth compressing: text, and wasm (which brotli takes to about a third). Images
/// and fonts other than SVG are compressed already.
const COMPRESSIBLE: [&str; 7] = ["wasm", "js", "css", "html", "svg", "json", "ts"];

/// Below this, a file fits in the first packets anyway and the variant's own headers and
/// lookups cost more than it saves.
pub const MIN_SIZE: usize = 1024;

/// What [`dir`] wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    pub raw: u64,
    pub brotli: u64,
}

/// gzip at level 9, as `Accept-Encoding: gzip` gets it.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .map_err(|error| error.to_string())?;
    encoder.finish().map_err(|error| error.to_string())
}

/// Brotli at quality 11 with a 4 MiB window (22 bits), as a CDN's static pre-compression.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes).map_err(|error| error.to_string())?;
    }
    Ok(out)
}

/// Writes `<file>.br` and `<file>.gz` beside each compressible file directly in `dir` (not in
/// its folders: each build step compresses the folder it writes). A variant that would not be
/// smaller than the file is not written, and an old one is removed, so that the server never
/// sends bytes from an earlier build.
pub fn dir(dir: &Path) -> Result<Written, String> {
    let entries =
        fs::read_dir(dir).map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
    let mut written = Written::default();
    for entry in entries {
        let entry = entry.map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
        let path = entry.path();
        let compressible = path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| COMPRESSIBLE.contains(&extension));
        if !compressible || !entry.file_type().is_ok_and(|kind| kind.is_file()) {
            continue;
        }
        let bytes =
            fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let brotli = brotli(&bytes)?;
        let wrote_brotli = variant(&path, "br", &bytes, &brotli)?;
        variant(&path, "gz", &bytes, &gzip(&bytes)?)?;
        if wrote_brotli {
            written.files += 1;
            written.raw += bytes.len() as u64;
            written.brotli += brotli.len() as u64;
        }
    }
    Ok(written)
}

/// Writes `compressed` as `<path>.<extension>` when it is worth it; else removes that file.
fn variant(path: &Path, extension: &str, raw: &[u8], compressed: &[u8]) -> Result<bool, String> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    let target = Path::new(&name);
    if raw.len() < MIN_SIZE || compressed.len() >= raw.len() {
        match fs::remove_file(target) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("cannot remove {}: {error}", target.display())),
        }
        return Ok(false);
    }
    fs::write(target, compressed)
        .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn ungzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn variants_decompress_to_the_file_and_small_or_dense_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let page = "<!doctype html><p>a checkout</p>\n".repeat(200);
        let wasm: Vec<u8> = (0..8192_u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        // A pseudo-random stream: neither brotli nor gzip makes it smaller.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let dense: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        fs::write(dir.path().join("index.html"), &page).unwrap();
        fs::write(dir.path().join("app-0123abcd_bg.wasm"), &wasm).unwrap();
        fs::write(dir.path().join("tiny.js"), "export default 1;").unwrap();
        fs::write(dir.path().join("dense.js"), &dense).unwrap();
        fs::write(dir.path().join("photo.png"), page.as_bytes()).unwrap();
        // Left from an earlier build whose tiny.js was larger: it must not outlive it.
        fs::write(dir.path().join("tiny.js.br"), b"stale").unwrap();
        fs::create_dir(dir.path().join("embed")).unwrap();
        fs::write(dir.path().join("embed/loader.js"), &page).unwrap();

        let written = super::dir(dir.path()).unwrap();

        assert_eq!(written.files, 2);
        assert_eq!(written.raw, (page.len() + wasm.len()) as u64);
        for (name, original) in [
            ("index.html", page.as_bytes()),
            ("app-0123abcd_bg.wasm", wasm.as_slice()),
        ] {
            let br = fs::read(dir.path().join(format!("{name}.br"))).unwrap();
            let gz = fs::read(dir.path().join(format!("{name}.gz"))).unwrap();
            assert!(br.len() < original.len(), "{name}");
            assert!(gz.len() < original.len(), "{name}");
            assert_eq!(unbrotli(&br), original, "{name}");
            assert_eq!(ungzip(&gz), original, "{name}");
        }
        for skipped in [
            "tiny.js.br",
            "tiny.js.gz",
            "dense.js.br",
            "dense.js.gz",
            "photo.png.br",
            "embed/loader.js.br",
        ] {
            assert!(!dir.path().join(skipped).exists(), "{skipped}");
        }
    }

    #[test]
    fn the_bytes_are_the_budgets_bytes() {
        let text = "fn main() { println!(\"hello\"); }\n".repeat(100);
        let sizes = crate::budgets::compressed_sizes(text.as_bytes()).unwrap();
        assert_eq!(sizes.brotli, brotli(text.as_bytes()).unwrap().len() as u64);
        assert_eq!(sizes.gzip, gzip(text.as_bytes()).unwrap().len() as u64);
    }
}
