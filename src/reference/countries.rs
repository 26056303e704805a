//! Countries: PLACEHOLDER until the countries table lands.

/// True when `code` is a Comtrade/BACI numeric country code of a real partner (not World, 0).
pub fn is_known_code(code: u16) -> bool {
    code != 0 && code < 1000
}
