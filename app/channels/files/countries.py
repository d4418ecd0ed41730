"""Country names as Etsy and eBay write them, to the ISO 3166-1 alpha-2 codes Address keeps."""

from __future__ import annotations

_CODES = {
    "united states": "US", "united states of america": "US", "usa": "US",
    "us": "US", "united kingdom": "GB", "great britain": "GB", "uk": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "canada": "CA",
    "australia": "AU", "new zealand": "NZ", "ireland": "IE", "germany": "DE",
    "deutschland": "DE", "france": "FR", "italy": "IT", "spain": "ES", "portugal": "PT",
    "netherlands": "NL", "the netherlands": "NL", "belgium": "BE", "luxembourg": "LU",
    "austria": "AT", "switzerland": "CH", "liechtenstein": "LI", "denmark": "DK",
    "sweden": "SE", "norway": "NO", "finland": "FI", "iceland": "IS", "poland": "PL",
    "czech republic": "CZ", "czechia": "CZ", "slovakia": "SK", "hungary": "HU",
    "slovenia": "SI", "croatia": "HR", "romania": "RO", "bulgaria": "BG", "greece": "GR",
    "cyprus": "CY", "malta": "MT", "estonia": "EE", "latvia": "LV", "lithuania": "LT",
    "ukraine": "UA", "turkey": "TR", "türkiye": "TR", "israel": "IL", "japan": "JP",
    "south korea": "KR", "korea, republic of": "KR", "china": "CN", "hong kong": "HK",
    "taiwan": "TW", "singapore": "SG", "malaysia": "MY", "thailand": "TH",
    "philippines": "PH", "indonesia": "ID", "vietnam": "VN", "viet nam": "VN", "india": "IN",
    "united arab emirates": "AE", "saudi arabia": "SA", "qatar": "QA", "kuwait": "KW",
    "bahrain": "BH", "south africa": "ZA", "mexico": "MX", "brazil": "BR",
    "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE", "puerto rico": "PR",
    "serbia": "RS", "bosnia and herzegovina": "BA", "north macedonia": "MK",
    "montenegro": "ME", "albania": "AL", "moldova": "MD", "georgia": "GE", "armenia": "AM",
    "monaco": "MC", "andorra": "AD", "san marino": "SM", "guernsey": "GG", "jersey": "JE",
    "isle of man": "IM", "gibraltar": "GI", "egypt": "EG", "morocco": "MA",
}


def country_code(text: str) -> str:
    """'United Kingdom' -> 'GB'; a two-letter code stays; an unknown name is kept as written."""
    s = text.strip()
    code = _CODES.get(s.casefold())
    if code is not None:
        return code
    return s.upper() if len(s) == 2 and s.isalpha() else s
