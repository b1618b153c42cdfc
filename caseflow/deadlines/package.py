"""The calendar of the `chinesecalendar` package, read only to seed the county's tables
(migration 0006, `flask calendar seed`, the demo data), never for deadline arithmetic."""

from datetime import date


def package_calendar() -> tuple[str, dict[int, dict[str, dict[date, str]]]]:
    """The package's name and version and, per year it covers, its holidays and 调休 days
    (festival names in Chinese)."""
    from importlib.metadata import version

    from chinese_calendar import constants

    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }
    years: dict[int, dict[str, dict[date, str]]] = {}
    for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays)):
        for day, english in table.items():
            years.setdefault(day.year, {"holiday": {}, "workday": {}})
            years[day.year][kind][day] = names.get(str(english), str(english))
    return f"chinesecalendar {version('chinesecalendar')}", years
