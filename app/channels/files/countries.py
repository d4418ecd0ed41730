"""Country names and codes as channels write them, to the ISO 3166-1 alpha-2 codes Address
keeps. A name not known here is never guessed at (cutting 'Cayman Islands' to 'CA' would ship
to Canada): the reader names the row and asks for the two-letter code instead.
"""

from __future__ import annotations

import re
import unicodedata

# Every ISO 3166-1 alpha-2 code with its English short name, as ISO writes it.
_ISO = """\
AD Andorra
AE United Arab Emirates
AF Afghanistan
AG Antigua and Barbuda
AI Anguilla
AL Albania
AM Armenia
AO Angola
AQ Antarctica
AR Argentina
AS American Samoa
AT Austria
AU Australia
AW Aruba
AX Åland Islands
AZ Azerbaijan
BA Bosnia and Herzegovina
BB Barbados
BD Bangladesh
BE Belgium
BF Burkina Faso
BG Bulgaria
BH Bahrain
BI Burundi
BJ Benin
BL Saint Barthélemy
BM Bermuda
BN Brunei Darussalam
BO Bolivia, Plurinational State of
BQ Bonaire, Sint Eustatius and Saba
BR Brazil
BS Bahamas
BT Bhutan
BV Bouvet Island
BW Botswana
BY Belarus
BZ Belize
CA Canada
CC Cocos (Keeling) Islands
CD Congo, The Democratic Republic of the
CF Central African Republic
CG Congo
CH Switzerland
CI Côte d'Ivoire
CK Cook Islands
CL Chile
CM Cameroon
CN China
CO Colombia
CR Costa Rica
CU Cuba
CV Cabo Verde
CW Curaçao
CX Christmas Island
CY Cyprus
CZ Czechia
DE Germany
DJ Djibouti
DK Denmark
DM Dominica
DO Dominican Republic
DZ Algeria
EC Ecuador
EE Estonia
EG Egypt
EH Western Sahara
ER Eritrea
ES Spain
ET Ethiopia
FI Finland
FJ Fiji
FK Falkland Islands (Malvinas)
FM Micronesia, Federated States of
FO Faroe Islands
FR France
GA Gabon
GB United Kingdom
GD Grenada
GE Georgia
GF French Guiana
GG Guernsey
GH Ghana
GI Gibraltar
GL Greenland
GM Gambia
GN Guinea
GP Guadeloupe
GQ Equatorial Guinea
GR Greece
GS South Georgia and the South Sandwich Islands
GT Guatemala
GU Guam
GW Guinea-Bissau
GY Guyana
HK Hong Kong
HM Heard Island and McDonald Islands
HN Honduras
HR Croatia
HT Haiti
HU Hungary
ID Indonesia
IE Ireland
IL Israel
IM Isle of Man
IN India
IO British Indian Ocean Territory
IQ Iraq
IR Iran, Islamic Republic of
IS Iceland
IT Italy
JE Jersey
JM Jamaica
JO Jordan
JP Japan
KE Kenya
KG Kyrgyzstan
KH Cambodia
KI Kiribati
KM Comoros
KN Saint Kitts and Nevis
KP Korea, Democratic People's Republic of
KR Korea, Republic of
KW Kuwait
KY Cayman Islands
KZ Kazakhstan
LA Lao People's Democratic Republic
LB Lebanon
LC Saint Lucia
LI Liechtenstein
LK Sri Lanka
LR Liberia
LS Lesotho
LT Lithuania
LU Luxembourg
LV Latvia
LY Libya
MA Morocco
MC Monaco
MD Moldova, Republic of
ME Montenegro
MF Saint Martin (French part)
MG Madagascar
MH Marshall Islands
MK North Macedonia
ML Mali
MM Myanmar
MN Mongolia
MO Macao
MP Northern Mariana Islands
MQ Martinique
MR Mauritania
MS Montserrat
MT Malta
MU Mauritius
MV Maldives
MW Malawi
MX Mexico
MY Malaysia
MZ Mozambique
NA Namibia
NC New Caledonia
NE Niger
NF Norfolk Island
NG Nigeria
NI Nicaragua
NL Netherlands
NO Norway
NP Nepal
NR Nauru
NU Niue
NZ New Zealand
OM Oman
PA Panama
PE Peru
PF French Polynesia
PG Papua New Guinea
PH Philippines
PK Pakistan
PL Poland
PM Saint Pierre and Miquelon
PN Pitcairn
PR Puerto Rico
PS Palestine, State of
PT Portugal
PW Palau
PY Paraguay
QA Qatar
RE Réunion
RO Romania
RS Serbia
RU Russian Federation
RW Rwanda
SA Saudi Arabia
SB Solomon Islands
SC Seychelles
SD Sudan
SE Sweden
SG Singapore
SH Saint Helena, Ascension and Tristan da Cunha
SI Slovenia
SJ Svalbard and Jan Mayen
SK Slovakia
SL Sierra Leone
SM San Marino
SN Senegal
SO Somalia
SR Suriname
SS South Sudan
ST Sao Tome and Principe
SV El Salvador
SX Sint Maarten (Dutch part)
SY Syrian Arab Republic
SZ Eswatini
TC Turks and Caicos Islands
TD Chad
TF French Southern Territories
TG Togo
TH Thailand
TJ Tajikistan
TK Tokelau
TL Timor-Leste
TM Turkmenistan
TN Tunisia
TO Tonga
TR Türkiye
TT Trinidad and Tobago
TV Tuvalu
TW Taiwan, Province of China
TZ Tanzania, United Republic of
UA Ukraine
UG Uganda
UM United States Minor Outlying Islands
US United States
UY Uruguay
UZ Uzbekistan
VA Holy See (Vatican City State)
VC Saint Vincent and the Grenadines
VE Venezuela, Bolivarian Republic of
VG Virgin Islands, British
VI Virgin Islands, U.S.
VN Viet Nam
VU Vanuatu
WF Wallis and Futuna
WS Samoa
YE Yemen
YT Mayotte
ZA South Africa
ZM Zambia
ZW Zimbabwe
"""

# Codes in use beside ISO's own: Kosovo's (Shopify, Etsy and eBay write it) and 'UK'.
_MORE_CODES = {"XK": "XK", "UK": "GB"}

# Other names channels write: eBay's and Etsy's country lists, older ISO names, everyday
# English. Matched like ISO's names (see _plain), so accents, 'St.', '&' and 'The ' may vary.
_OTHER_NAMES = {
    "AE": ("UAE",),
    "AZ": ("Azerbaijan Republic",),
    "BA": ("Bosnia", "Bosnia-Herzegovina"),
    "BN": ("Brunei",),
    "BO": ("Bolivia",),
    "BQ": ("Bonaire", "Caribbean Netherlands"),
    "CD": ("Congo, Democratic Republic of the", "Democratic Republic of the Congo",
           "DR Congo", "Congo-Kinshasa", "Zaire"),
    "CG": ("Congo, Republic of the", "Republic of the Congo", "Congo-Brazzaville"),
    "CI": ("Ivory Coast", "Cote d Ivoire (Ivory Coast)"),
    "CN": ("People's Republic of China", "Mainland China"),
    "CV": ("Cape Verde", "Cape Verde Islands"),
    "CZ": ("Czech Republic",),
    "DE": ("Deutschland",),
    "FK": ("Falkland Islands", "Falkland Islands (Islas Malvinas)"),
    "FM": ("Micronesia",),
    "GA": ("Gabon Republic",),
    "GB": ("Great Britain", "Britain", "UK", "U.K.", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland"),
    "HM": ("Heard and McDonald Islands",),
    "IE": ("Republic of Ireland", "Eire"),
    "IR": ("Iran",),
    "KG": ("Kyrgyz Republic",),
    "KN": ("Saint Kitts-Nevis",),
    "KP": ("North Korea", "Korea, North", "Korea (North)"),
    "KR": ("South Korea", "Korea, South", "Korea (South)", "Republic of Korea"),
    "LA": ("Laos", "Lao PDR"),
    "MD": ("Moldova", "Republic of Moldova"),
    "MF": ("Saint Martin",),
    "MK": ("Macedonia", "Republic of North Macedonia"),
    "MM": ("Burma", "Myanmar (Burma)"),
    "MO": ("Macau",),
    "NL": ("Holland",),
    "PF": ("Tahiti",),
    "PN": ("Pitcairn Islands",),
    "PS": ("Palestine", "Palestinian Territories", "Palestinian Territory, Occupied"),
    "RU": ("Russia",),
    "SH": ("Saint Helena",),
    "SJ": ("Svalbard",),
    "SK": ("Slovak Republic",),
    "SX": ("Sint Maarten",),
    "SY": ("Syria",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "TR": ("Turkey", "Republic of Türkiye"),
    "TW": ("Taiwan",),
    "TZ": ("Tanzania",),
    "US": ("USA", "U.S.A.", "U.S.", "United States of America", "America", "APO/FPO"),
    "VA": ("Vatican City", "Vatican City State", "Vatican", "Holy See"),
    "VE": ("Venezuela",),
    "VG": ("British Virgin Islands", "Virgin Islands (British)"),
    "VI": ("US Virgin Islands", "U.S. Virgin Islands", "Virgin Islands (U.S.)"),
    "VN": ("Vietnam",),
    "WS": ("Western Samoa",),
    "XK": ("Kosovo",),
}


def _plain(name: str) -> str:
    """A name as it is matched: no accents or punctuation, '&' as 'and', 'St' as 'Saint'."""
    text = unicodedata.normalize("NFKD", name.replace("&", " and "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]  # 'The Netherlands'
    if len(words) > 1 and words[-1] == "the":
        words = words[:-1]  # 'Bahamas, The'
    return " ".join("saint" if w == "st" else w for w in words)


CODES: dict[str, str] = {line[:2]: line[3:] for line in _ISO.splitlines()}
_BY_CODE = {**{code: code for code in CODES}, **_MORE_CODES}
_BY_NAME = {_plain(name): code for code, name in CODES.items()}
_BY_NAME.update({_plain(name): code for code, names in _OTHER_NAMES.items() for name in names})


def country_code(text: str) -> str | None:
    """'United Kingdom', 'UK' or 'gb' -> 'GB'; '' stays ''; None for a country not known here."""
    s = text.strip()
    if not s:
        return ""
    if len(s) == 2 and s.isascii() and s.isalpha():
        return _BY_CODE.get(s.upper())
    return _BY_NAME.get(_plain(s))
