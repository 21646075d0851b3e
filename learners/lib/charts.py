"""A small server-rendered SVG line chart for one benefit: baseline, target and measurements.

No JavaScript and no style attributes (the CSP may block them): only presentation attributes.
The chart is an image with a title and a description for screen readers; the page shows the
same numbers in a table beside it, and the three series differ in shape and dash, not only in
colour."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48
INK, GRID, MEASURED, TARGET = "#1e2b3c", "#c7ccd3", "#0062ba", "#06893a"


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: Decimal


def number(value: Decimal) -> str:
    """A value as Norwegians write it, without trailing zeros: 12,5 not 12.50."""
    return number_format(Decimal(format(Decimal(value).normalize(), "f")))


def _label(point: Point, unit: str) -> str:
    return f"{date_format(point.day, 'j. M Y')}: {number(point.value)} {unit}".strip()


class _Scale:
    def __init__(self, points: list[Point]):
        days = [p.day for p in points]
        values = [p.value for p in points]
        self.first, last = min(days), max(days)
        self.span = max((last - self.first).days, 1)
        low, high = min(values), max(values)
        pad = (high - low) / 10 or Decimal(1)
        self.low, self.high = low - pad, high + pad

    def x(self, day: dt.date) -> float:
        return round(LEFT + (day - self.first).days / self.span * (WIDTH - LEFT - RIGHT), 1)

    def y(self, value: Decimal) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(float(HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)), 1)


def line_chart(
    *,
    chart_id: str,
    title: str,
    baseline: Point,
    target: Point,
    measurements: list[Point],
    unit: str = "",
) -> SafeString:
    """An inline <svg> (role="img", labelled by its <title> and <desc>) with the baseline as a
    square, the target as a dashed line and each measurement as a circle on a solid line."""
    scale = _Scale([baseline, target, *measurements])
    line = [baseline, *measurements]
    desc = _("Baseline %(baseline)s. Target %(target)s. Measurements: %(points)s.") % {
        "baseline": _label(baseline, unit),
        "target": _label(target, unit),
        "points": "; ".join(_label(p, unit) for p in measurements) or _("none yet"),
    }
    x0, x1 = LEFT, WIDTH - RIGHT
    bottom = HEIGHT - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="endra-chart" width="100%" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="{x0}" y1="{bottom}" x2="{x1}" y2="{bottom}" stroke="{GRID}"/>',
        f'<line x1="{x0}" y1="{TOP}" x2="{x0}" y2="{bottom}" stroke="{GRID}"/>',
    ]
    for value in (scale.low, scale.high):
        parts.append(
            f'<text x="{x0 - 6}" y="{scale.y(value) + 4}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(number(value.quantize(Decimal("0.1"))))}</text>'
        )
    for day, anchor in ((scale.first, "start"), (_last_day(scale), "end")):
        parts.append(
            f'<text x="{scale.x(day)}" y="{bottom + 18}" text-anchor="{anchor}" font-size="12" '
            f'fill="{INK}">{escape(date_format(day, "j. M Y"))}</text>'
        )
    target_y = scale.y(target.value)
    parts.append(
        f'<line class="endra-chart__target" x1="{x0}" y1="{target_y}" x2="{x1}" y2="{target_y}" '
        f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4">'
        f"<title>{escape(_('Target') + ' ' + _label(target, unit))}</title></line>"
    )
    points = " ".join(f"{scale.x(p.day)},{scale.y(p.value)}" for p in line)
    parts.append(f'<polyline points="{points}" fill="none" stroke="{MEASURED}" stroke-width="2"/>')
    bx, by = scale.x(baseline.day), scale.y(baseline.value)
    parts.append(
        f'<rect class="endra-chart__baseline" x="{bx - 5}" y="{by - 5}" width="10" height="10" '
        f'fill="{INK}"><title>{escape(_("Baseline") + " " + _label(baseline, unit))}</title></rect>'
    )
    for p in measurements:
        parts.append(
            f'<circle class="endra-chart__point" cx="{scale.x(p.day)}" cy="{scale.y(p.value)}" '
            f'r="5" fill="{MEASURED}" data-value="{p.value}"><title>{escape(_label(p, unit))}'
            "</title></circle>"
        )
    parts.append(_legend())
    parts.append("</svg>")
    # Every text part above is escaped; attributes are numbers or our own constants.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


def _last_day(scale: _Scale) -> dt.date:
    return scale.first + dt.timedelta(days=scale.span)


def _legend() -> str:
    y = HEIGHT - 10
    return (
        f'<g font-size="12" fill="{INK}" aria-hidden="true">'
        f'<rect x="{LEFT}" y="{y - 9}" width="10" height="10" fill="{INK}"/>'
        f'<text x="{LEFT + 14}" y="{y}">{escape(_("Baseline"))}</text>'
        f'<line x1="{LEFT + 110}" y1="{y - 4}" x2="{LEFT + 140}" y2="{y - 4}" stroke="{TARGET}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 146}" y="{y}">{escape(_("Target"))}</text>'
        f'<circle cx="{LEFT + 240}" cy="{y - 4}" r="5" fill="{MEASURED}"/>'
        f'<text x="{LEFT + 250}" y="{y}">{escape(_("Measured"))}</text>'
        "</g>"
    )


def benefit_chart(*, benefit, chart_id: str) -> SafeString:
    """The line chart for a Benefit with its (prefetched) measurements."""
    return line_chart(
        chart_id=chart_id,
        title=_("Development of %(indicator)s") % {"indicator": benefit.indicator},
        baseline=Point(benefit.baseline_date, benefit.baseline_value),
        target=Point(benefit.target_date, benefit.target_value),
        measurements=[Point(m.measured_on, m.value) for m in benefit.measurements.all()],
        unit=benefit.unit,
    )
