//! Reading a kline file's bytes whatever its packaging: a data.binance.vision `.zip` (checked
//! against its `.zip.CHECKSUM` sidecar when one lies beside it), a `.gz`, or plain text.

use std::{
    io::{self, Read},
    path::Path,
};

/// The text of the file at `path`, unpacked.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if name.to_ascii_lowercase().ends_with(".zip") {
        verify_checksum(path, &bytes)?;
    }
    unpack(&name, bytes)
}

/// Unpacks `bytes` according to the file name's extension (`.zip`, `.gz`, or plain).
pub fn unpack(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let name = name.to_ascii_lowercase();
    if name.ends_with(".zip") {
        unzip(&bytes)
    } else if name.ends_with(".gz") {
        let mut out = Vec::with_capacity(bytes.len() * 4);
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| format!("not a readable gzip file ({e}); was the download cut short?"))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

fn unzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let corrupt = |e: zip::result::ZipError| {
        format!("not a readable zip archive ({e}); was the download cut short?")
    };
    let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(corrupt)?;
    let csvs: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .collect();
    let [only] = csvs.as_slice() else {
        return Err(format!(
            "the archive holds {} CSV files; expected exactly one (extract them and import each)",
            csvs.len()
        ));
    };
    let mut entry = archive.by_name(only).map_err(corrupt)?;
    let mut out = Vec::new();
    entry
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot extract {only}: {e}"))?;
    Ok(out)
}

/// data.binance.vision publishes `<file>.CHECKSUM` holding `<sha256>  <file>`.
fn verify_checksum(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let sidecar = path.with_file_name(format!(
        "{}.CHECKSUM",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let Ok(text) = std::fs::read_to_string(&sidecar) else {
        return Ok(());
    };
    let expected = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let actual: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "SHA-256 {actual} does not match {} ({expected}): the file is damaged; download it again",
            sidecar.display()
        ))
    }
}
