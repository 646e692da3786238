/**
 * The default country table of the bootstrap (docs/domain.md, Countries and genesis): every sovereign state
 * (the 193 UN member states, the two observer states, the Holy See and Palestine, and Taiwan) with its
 * population, from which each country's population share follows.
 *
 * Source: World Bank, World Development Indicators, "Population, total" (SP.POP.TOTL), year 2023 (midyear
 * estimates; Palestine is its "West Bank and Gaza"; the Holy See and Taiwan, which it does not list, have
 * their own 2023 figures). Every value
 * is rounded to three significant figures, so shares are good to about 0.5 % of each country's own share;
 * territories that are not states (Hong Kong, Puerto Rico, …) are not listed, and their people count towards
 * no country. An operator may bootstrap with another table (POST /api/v1/bootstrap).
 */
import { ppbScale } from '@gx/chaincode';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** Codes ICU names although ISO 3166-1 does not assign them to a country (exceptional reservations, unknown). */
const NOT_COUNTRIES = new Set(['UK', 'EU', 'EZ', 'UN', 'ZZ']);

/**
 * Whether `code` is an ISO 3166-1 alpha-2 code assigned to a country or territory (the chaincode checks only
 * the shape `[A-Z]{2}`): ICU names every assigned code and echoes an unassigned one back.
 */
export function isAssignedCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== code;
}

/** [ISO 3166-1 alpha-2 code, population] per country. */
export const COUNTRY_POPULATIONS: ReadonlyArray<readonly [code: string, population: number]> = [
  ['DZ', 46_200_000], // Algeria
  ['AO', 36_700_000], // Angola
  ['BJ', 13_700_000], // Benin
  ['BW', 2_480_000], // Botswana
  ['BF', 23_300_000], // Burkina Faso
  ['BI', 13_200_000], // Burundi
  ['CV', 598_000], // Cabo Verde
  ['CM', 28_600_000], // Cameroon
  ['CF', 5_740_000], // Central African Republic
  ['TD', 18_300_000], // Chad
  ['KM', 852_000], // Comoros
  ['CG', 6_110_000], // Congo
  ['CD', 102_000_000], // Congo Democratic Republic
  ['CI', 28_900_000], // Cote dIvoire
  ['DJ', 1_140_000], // Djibouti
  ['EG', 113_000_000], // Egypt
  ['GQ', 1_710_000], // Equatorial Guinea
  ['ER', 3_750_000], // Eritrea
  ['SZ', 1_210_000], // Eswatini
  ['ET', 127_000_000], // Ethiopia
  ['GA', 2_440_000], // Gabon
  ['GM', 2_770_000], // Gambia
  ['GH', 34_100_000], // Ghana
  ['GN', 14_200_000], // Guinea
  ['GW', 2_150_000], // Guinea-Bissau
  ['KE', 55_100_000], // Kenya
  ['LS', 2_330_000], // Lesotho
  ['LR', 5_420_000], // Liberia
  ['LY', 6_890_000], // Libya
  ['MG', 30_300_000], // Madagascar
  ['MW', 20_900_000], // Malawi
  ['ML', 23_300_000], // Mali
  ['MR', 4_860_000], // Mauritania
  ['MU', 1_260_000], // Mauritius
  ['MA', 37_800_000], // Morocco
  ['MZ', 33_900_000], // Mozambique
  ['NA', 2_600_000], // Namibia
  ['NE', 27_200_000], // Niger
  ['NG', 224_000_000], // Nigeria
  ['RW', 14_100_000], // Rwanda
  ['ST', 232_000], // Sao Tome and Principe
  ['SN', 17_800_000], // Senegal
  ['SC', 120_000], // Seychelles
  ['SL', 8_790_000], // Sierra Leone
  ['SO', 18_100_000], // Somalia
  ['ZA', 60_400_000], // South Africa
  ['SS', 11_100_000], // South Sudan
  ['SD', 48_100_000], // Sudan
  ['TZ', 67_400_000], // Tanzania
  ['TG', 9_050_000], // Togo
  ['TN', 12_500_000], // Tunisia
  ['UG', 48_600_000], // Uganda
  ['ZM', 20_600_000], // Zambia
  ['ZW', 16_700_000], // Zimbabwe
  ['AG', 94_300], // Antigua and Barbuda
  ['AR', 45_800_000], // Argentina
  ['BS', 413_000], // Bahamas
  ['BB', 282_000], // Barbados
  ['BZ', 411_000], // Belize
  ['BO', 12_400_000], // Bolivia
  ['BR', 216_000_000], // Brazil
  ['CA', 40_100_000], // Canada
  ['CL', 19_600_000], // Chile
  ['CO', 52_100_000], // Colombia
  ['CR', 5_210_000], // Costa Rica
  ['CU', 11_200_000], // Cuba
  ['DM', 73_000], // Dominica
  ['DO', 11_300_000], // Dominican Republic
  ['EC', 18_200_000], // Ecuador
  ['SV', 6_360_000], // El Salvador
  ['GD', 126_000], // Grenada
  ['GT', 18_100_000], // Guatemala
  ['GY', 814_000], // Guyana
  ['HT', 11_700_000], // Haiti
  ['HN', 10_600_000], // Honduras
  ['JM', 2_830_000], // Jamaica
  ['MX', 128_000_000], // Mexico
  ['NI', 7_050_000], // Nicaragua
  ['PA', 4_470_000], // Panama
  ['PY', 6_860_000], // Paraguay
  ['PE', 34_400_000], // Peru
  ['KN', 47_800], // Saint Kitts and Nevis
  ['LC', 180_000], // Saint Lucia
  ['VC', 104_000], // Saint Vincent and the Grenadines
  ['SR', 623_000], // Suriname
  ['TT', 1_530_000], // Trinidad and Tobago
  ['US', 335_000_000], // United States
  ['UY', 3_420_000], // Uruguay
  ['VE', 28_800_000], // Venezuela
  ['AF', 42_200_000], // Afghanistan
  ['AM', 2_780_000], // Armenia
  ['AZ', 10_400_000], // Azerbaijan
  ['BH', 1_490_000], // Bahrain
  ['BD', 173_000_000], // Bangladesh
  ['BT', 787_000], // Bhutan
  ['BN', 453_000], // Brunei
  ['KH', 16_900_000], // Cambodia
  ['CN', 1_410_000_000], // China
  ['CY', 1_260_000], // Cyprus
  ['GE', 3_730_000], // Georgia
  ['IN', 1_430_000_000], // India
  ['ID', 278_000_000], // Indonesia
  ['IR', 89_200_000], // Iran
  ['IQ', 45_500_000], // Iraq
  ['IL', 9_760_000], // Israel
  ['JP', 125_000_000], // Japan
  ['JO', 11_300_000], // Jordan
  ['KZ', 19_600_000], // Kazakhstan
  ['KW', 4_310_000], // Kuwait
  ['KG', 7_100_000], // Kyrgyzstan
  ['LA', 7_630_000], // Laos
  ['LB', 5_350_000], // Lebanon
  ['MY', 34_300_000], // Malaysia
  ['MV', 521_000], // Maldives
  ['MN', 3_450_000], // Mongolia
  ['MM', 54_600_000], // Myanmar
  ['NP', 30_900_000], // Nepal
  ['KP', 26_200_000], // North Korea
  ['OM', 4_640_000], // Oman
  ['PK', 240_000_000], // Pakistan
  ['PS', 5_170_000], // Palestine
  ['PH', 117_000_000], // Philippines
  ['QA', 2_720_000], // Qatar
  ['SA', 36_900_000], // Saudi Arabia
  ['SG', 5_920_000], // Singapore
  ['KR', 51_700_000], // South Korea
  ['LK', 22_000_000], // Sri Lanka
  ['SY', 23_200_000], // Syria
  ['TW', 23_400_000], // Taiwan
  ['TJ', 10_100_000], // Tajikistan
  ['TH', 71_800_000], // Thailand
  ['TL', 1_360_000], // Timor-Leste
  ['TR', 85_300_000], // Turkiye
  ['TM', 7_360_000], // Turkmenistan
  ['AE', 9_520_000], // United Arab Emirates
  ['UZ', 36_400_000], // Uzbekistan
  ['VN', 98_900_000], // Viet Nam
  ['YE', 34_400_000], // Yemen
  ['AL', 2_750_000], // Albania
  ['AD', 80_100], // Andorra
  ['AT', 9_130_000], // Austria
  ['BY', 9_180_000], // Belarus
  ['BE', 11_800_000], // Belgium
  ['BA', 3_210_000], // Bosnia and Herzegovina
  ['BG', 6_450_000], // Bulgaria
  ['HR', 3_860_000], // Croatia
  ['CZ', 10_900_000], // Czechia
  ['DK', 5_950_000], // Denmark
  ['EE', 1_370_000], // Estonia
  ['FI', 5_580_000], // Finland
  ['FR', 68_200_000], // France
  ['DE', 84_500_000], // Germany
  ['GR', 10_400_000], // Greece
  ['HU', 9_590_000], // Hungary
  ['IS', 393_000], // Iceland
  ['IE', 5_260_000], // Ireland
  ['IT', 59_000_000], // Italy
  ['LV', 1_880_000], // Latvia
  ['LI', 39_600], // Liechtenstein
  ['LT', 2_870_000], // Lithuania
  ['LU', 669_000], // Luxembourg
  ['MT', 535_000], // Malta
  ['MD', 2_490_000], // Moldova
  ['MC', 39_000], // Monaco
  ['ME', 616_000], // Montenegro
  ['NL', 17_900_000], // Netherlands
  ['MK', 1_830_000], // North Macedonia
  ['NO', 5_520_000], // Norway
  ['PL', 36_700_000], // Poland
  ['PT', 10_500_000], // Portugal
  ['RO', 19_100_000], // Romania
  ['RU', 144_000_000], // Russia
  ['SM', 33_600], // San Marino
  ['RS', 6_620_000], // Serbia
  ['SK', 5_430_000], // Slovakia
  ['SI', 2_120_000], // Slovenia
  ['ES', 48_400_000], // Spain
  ['SE', 10_500_000], // Sweden
  ['CH', 8_850_000], // Switzerland
  ['UA', 37_700_000], // Ukraine
  ['GB', 68_400_000], // United Kingdom
  ['VA', 764], // Holy See
  ['AU', 26_600_000], // Australia
  ['FJ', 936_000], // Fiji
  ['KI', 134_000], // Kiribati
  ['MH', 42_000], // Marshall Islands
  ['FM', 115_000], // Micronesia
  ['NR', 12_800], // Nauru
  ['NZ', 5_220_000], // New Zealand
  ['PW', 18_100], // Palau
  ['PG', 10_300_000], // Papua New Guinea
  ['WS', 226_000], // Samoa
  ['SB', 740_000], // Solomon Islands
  ['TO', 108_000], // Tonga
  ['TV', 11_400], // Tuvalu
  ['VU', 335_000], // Vanuatu
];

/**
 * The table as the bootstrap takes it: each share = population / the listed total. Shares are cut to whole
 * parts per billion by largest remainder, so they sum to exactly 10⁹ ppb (1 within floating error): the ledger
 * stores `round(share × 10⁹)`, which then gives back these integers, and the per-country slots of a phase
 * (⌊limit × ppb / 10⁹⌋) can never sum past the phase's worldwide limit.
 */
export function defaultCountryTable(
  populations: ReadonlyArray<readonly [string, number]> = COUNTRY_POPULATIONS,
): { code: string; populationShare: number }[] {
  const total = populations.reduce((sum, [, population]) => sum + population, 0);
  const exact = populations.map(([code, population]) => ({ code, ppb: (population / total) * ppbScale }));
  const parts = exact.map((country) => ({ ...country, whole: Math.floor(country.ppb) }));
  let left = ppbScale - parts.reduce((sum, country) => sum + country.whole, 0);
  // The largest fractional parts get the parts per billion the floors left over (one each).
  for (const country of [...parts].sort((a, b) => b.ppb - b.whole - (a.ppb - a.whole))) {
    if (left === 0) break;
    country.whole += 1;
    left -= 1;
  }
  return parts.map((country) => ({ code: country.code, populationShare: country.whole / ppbScale }));
}
