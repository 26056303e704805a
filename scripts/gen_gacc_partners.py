"""Generate src/io/gacc/partner_table.rs: China customs (GACC) trading-partner codes -> Comtrade codes.

Source of the GACC codes and names: the trading-partner code lists exported by China customs'
online query (stats.customs.gov.cn, English and Chinese interface), as kept verbatim in the MIT
licensed R package chinautils (github turbanisch/chinautils, commit
bad4d68cbeb461474245ab6c2f02b1dea0aeb966, data-raw/china-customs-codes/partners/
en-TradingPartner.csv and zh-TradingPartner.csv). Codes the current query uses that the list
predates (150-152: Georgia, Armenia, Azerbaijan moved to Asia; 626, 629, 631) and today's English
spellings ("Russia", "Türkiye", "Lao") come from the shared GACC export sample
(shared/data/china_customs, see its PROVENANCE.md) and are listed in EXTRA and SPELLINGS below.

The GACC code -> ISO alpha-3 assignment (ISO3 below) is typed by hand from the names; the Comtrade
code is then looked up in tradedep's own country table (src/reference/country_table.rs) so the two
tables cannot drift apart. Usage:

    python scripts/gen_gacc_partners.py /path/to/chinautils/checkout-or-git-dir > src/io/gacc/partner_table.rs
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

COMMIT = "bad4d68cbeb461474245ab6c2f02b1dea0aeb966"
EN = "data-raw/china-customs-codes/partners/en-TradingPartner.csv"
ZH = "data-raw/china-customs-codes/partners/zh-TradingPartner.csv"

# GACC code -> ISO alpha-3 of the entity whose Comtrade code the rows get, or a Comtrade code (int)
# for areas with no ISO code. Parts of a country that GACC lists apart go to the country (Canary
# Islands, Ceuta, Melilla -> Spain; the islands of French Polynesia -> French Polynesia).
ISO3: dict[int, str | int] = {
    101: "AFG", 102: "BHR", 103: "BGD", 104: "BTN", 105: "BRN", 106: "MMR", 107: "KHM", 108: "CYP",
    109: "PRK", 110: "HKG", 111: "IND", 112: "IDN", 113: "IRN", 114: "IRQ", 115: "ISR", 116: "JPN",
    117: "JOR", 118: "KWT", 119: "LAO", 120: "LBN", 121: "MAC", 122: "MYS", 123: "MDV", 124: "MNG",
    125: "NPL", 126: "OMN", 127: "PAK", 128: "PSE", 129: "PHL", 130: "QAT", 131: "SAU", 132: "SGP",
    133: "KOR", 134: "LKA", 135: "SYR", 136: "THA", 137: "TUR", 138: "ARE", 139: "YEM", 141: "VNM",
    142: "CHN", 143: "TWN", 144: "TLS", 145: "KAZ", 146: "KGZ", 147: "TJK", 148: "TKM", 149: "UZB",
    150: "GEO", 151: "ARM", 152: "AZE", 199: 899,
    201: "DZA", 202: "AGO", 203: "BEN", 204: "BWA", 205: "BDI", 206: "CMR", 207: "ESP", 208: "CPV",
    209: "CAF", 210: "ESP", 211: "TCD", 212: "COM", 213: "COG", 214: "DJI", 215: "EGY", 216: "GNQ",
    217: "ETH", 218: "GAB", 219: "GMB", 220: "GHA", 221: "GIN", 222: "GNB", 223: "CIV", 224: "KEN",
    225: "LBR", 226: "LBY", 227: "MDG", 228: "MWI", 229: "MLI", 230: "MRT", 231: "MUS", 232: "MAR",
    233: "MOZ", 234: "NAM", 235: "NER", 236: "NGA", 237: "REU", 238: "RWA", 239: "STP", 240: "SEN",
    241: "SYC", 242: "SLE", 243: "SOM", 244: "ZAF", 245: "ESH", 246: "SDN", 247: "TZA", 248: "TGO",
    249: "TUN", 250: "UGA", 251: "BFA", 252: "COD", 253: "ZMB", 254: "ZWE", 255: "LSO", 256: "ESP",
    257: "SWZ", 258: "ERI", 259: "MYT", 260: "SSD", 299: 577,
    301: "BEL", 302: "DNK", 303: "GBR", 304: "DEU", 305: "FRA", 306: "IRL", 307: "ITA", 308: "LUX",
    309: "NLD", 310: "GRC", 311: "PRT", 312: "ESP", 313: "ALB", 314: "AND", 315: "AUT", 316: "BGR",
    318: "FIN", 320: "GIB", 321: "HUN", 322: "ISL", 323: "LIE", 324: "MLT", 325: "MCO", 326: "NOR",
    327: "POL", 328: "ROU", 329: "SMR", 330: "SWE", 331: "CHE", 334: "EST", 335: "LVA", 336: "LTU",
    337: "GEO", 338: "ARM", 339: "AZE", 340: "BLR", 343: "MDA", 344: "RUS", 347: "UKR", 349: 891,
    350: "SVN", 351: "HRV", 352: "CZE", 353: "SVK", 354: "MKD", 355: "BIH", 356: "VAT", 357: "FRO",
    358: "SRB", 359: "MNE", 399: 568,
    401: "ATG", 402: "ARG", 403: "ABW", 404: "BHS", 405: "BRB", 406: "BLZ", 408: "BOL", 409: "BES",
    410: "BRA", 411: "CYM", 412: "CHL", 413: "COL", 414: "DMA", 415: "CRI", 416: "CUB", 417: "CUW",
    418: "DOM", 419: "ECU", 420: "GUF", 421: "GRD", 422: "GLP", 423: "GTM", 424: "GUY", 425: "HTI",
    426: "HND", 427: "JAM", 428: "MTQ", 429: "MEX", 430: "MSR", 431: "NIC", 432: "PAN", 433: "PRY",
    434: "PER", 435: "PRI", 436: "BES", 437: "LCA", 438: "SXM", 439: "VCT", 440: "SLV", 441: "SUR",
    442: "TTO", 443: "TCA", 444: "URY", 445: "VEN", 446: "VGB", 447: "KNA", 448: "SPM", 449: 530,
    499: 636,
    501: "CAN", 502: "USA", 503: "GRL", 504: "BMU", 599: 637,
    601: "AUS", 602: "COK", 603: "FJI", 604: "PYF", 605: "PYF", 606: "NRU", 607: "NCL", 608: "VUT",
    609: "NZL", 610: "NFK", 611: "PNG", 612: "PYF", 613: "SLB", 614: "TON", 615: "PYF", 616: "PYF",
    617: "WSM", 618: "KIR", 619: "TUV", 620: "FSM", 621: "MHL", 622: "PLW", 623: "PYF", 625: "WLF",
    626: "ASM", 629: "GUM", 631: "MNP", 699: 527,
    701: 899, 702: 899, 999: 899,
}

# Codes in today's query that the 2020 list predates: (code, English, Chinese).
EXTRA = [
    (150, "Georgia", "格鲁吉亚"),
    (151, "Armenia", "亚美尼亚"),
    (152, "Azerbaijan", "阿塞拜疆"),
    (626, "American Samoa", "美属萨摩亚"),
    (629, "Guam", "关岛"),
    (631, "Northern Mariana Islands", "北马里亚纳群岛"),
]

# Today's English spellings seen in the shared sample, per code (names are checked on every row).
SPELLINGS: dict[int, list[str]] = {
    109: ["Democratic People's Republic of Korea"], 119: ["Lao"], 121: ["Macao,China"],
    125: ["Nepal"], 133: ["Republic of Korea"], 135: ["Syria"], 137: ["Türkiye"],
    152: ["Azerbai jan"], 208: ["Cabo Verde"], 209: ["Central African Republic"], 226: ["Libya"],
    237: ["Réunion"], 252: ["Democratic Republic of Congo"], 260: ["South Sudan"], 344: ["Russia"],
    352: ["Czechia（Czech Republic）"], 355: ["Bosnia and Herzegovina"], 408: ["Bolivia"],
    620: ["The Federated States of Micronesia"],
}


def read(repo: Path, path: str) -> bytes:
    if (repo / path).exists():
        return (repo / path).read_bytes()
    return subprocess.run(["git", "-C", str(repo), "show", f"{COMMIT}:{path}"], check=True, capture_output=True).stdout


def decode(b: bytes) -> str:
    """UTF-8, with the GBK bytes the customs site leaves in names (a full-width comma) read as GB18030."""
    out, i = [], 0
    while i < len(b):
        try:
            out.append(b[i:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            out.append(b[i : i + e.start].decode("utf-8"))
            j = i + e.start
            out.append(b[j : j + 2].decode("gb18030"))
            i = j + 2
    return "".join(out)


def rows(text: str) -> dict[int, str]:
    out = {}
    for line in text.splitlines()[1:]:
        code, _, name = line.partition(",")
        if code.strip().isdigit():
            out[int(code)] = name.rstrip(",").replace("\x00", "").strip().replace("，", ",")
    return out


def comtrade_codes(repo_root: Path) -> dict[str, int]:
    """ISO3 -> Comtrade code from tradedep's country table (current countries first)."""
    src = (repo_root / "src/reference/country_table.rs").read_text()
    pat = re.compile(r'e\(\s*(\d+),\s*"(\w*)",\s*"(\w*)",\s*(\d+),\s*"[^"]*",\s*(\w+),\s*(\d+)')
    rank = {"Country": 0, "NoOwnCode": 1, "Former": 2, "Alias": 3}
    best: dict[str, tuple[int, int, int]] = {}
    for m in pat.finditer(src):
        code, iso3, kind, within = int(m[1]), m[3], m[5], int(m[6])
        if not iso3 or kind not in rank:
            continue
        if kind == "NoOwnCode":  # Liechtenstein, Monaco ...: trade reported within another code
            code = within
        if iso3 not in best or rank[kind] < best[iso3][0]:
            best[iso3] = (rank[kind], code, 0)
    return {k: v[1] for k, v in best.items()}


def rust_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    repo = Path(sys.argv[1])
    root = Path(__file__).resolve().parent.parent
    en, zh = rows(decode(read(repo, EN))), rows(read(repo, ZH).decode("gb18030"))  # the Chinese list is GB18030
    for code, e, z in EXTRA:
        en.setdefault(code, e)
        zh.setdefault(code, z)
    iso = comtrade_codes(root)
    missing = sorted(set(en) ^ set(ISO3))
    if missing:
        sys.exit(f"codes without an assignment or a name: {missing}")
    print("// @generated by scripts/gen_gacc_partners.py; do not edit by hand.")
    print("//! China customs (GACC) trading-partner codes and their Comtrade codes.")
    print("//!")
    print("//! Source: the trading-partner code lists of China customs' online query (stats.customs.gov.cn),")
    print(f"//! English and Chinese, as kept verbatim in github turbanisch/chinautils (MIT) at commit {COMMIT}")
    print(f"//! ({EN}, {ZH});")
    print("//! codes 150-152, 626, 629, 631 and today's English spellings from the shared GACC export sample.")
    print("//! GACC code -> ISO3 typed by hand in the script; Comtrade codes from tradedep's country table.")
    print("")
    print("/// `(gacc code, English name, Chinese name, Comtrade code, other spellings)`.")
    print("pub(crate) const PARTNERS: &[(u16, &str, &str, u16, &[&str])] = &[")
    for code in sorted(en):
        a = ISO3[code]
        ct = a if isinstance(a, int) else iso.get(a)
        if ct is None:
            sys.exit(f"{code} {en[code]!r}: ISO3 {a} not in the country table")
        name = en[code].strip() or "Serbia and Montenegro"
        alts = ", ".join(rust_str(s) for s in SPELLINGS.get(code, []))
        print(f"    ({code}, {rust_str(name)}, {rust_str(zh.get(code, ''))}, {ct}, &[{alts}]),")
    print("];")


if __name__ == "__main__":
    main()
