"""Reading the fields of a rubric file: each helper names the field it refuses
(``indicator.steps[2].score``) with the reason in Thai. Used by the rubric loader
(milestones.services.rubric) and by each indicator kind for its own part of the file."""

import datetime as dt
from decimal import Decimal, InvalidOperation


class RubricError(ValueError):
    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}")


def req(mapping: dict, key: str, path: str):
    if not isinstance(mapping, dict):
        raise RubricError(path, "ต้องเป็น mapping")
    if key not in mapping or mapping[key] in (None, ""):
        raise RubricError(f"{path}.{key}", "ต้องระบุ")
    return mapping[key]


def text(mapping: dict, key: str, path: str, *, required: bool = True) -> str:
    value = req(mapping, key, path) if required else mapping.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise RubricError(f"{path}.{key}", "ต้องเป็นข้อความ")
    return str(value).strip()


def integer(mapping: dict, key: str, path: str, *, default: int | None = None, lo: int = 0, hi: int = 10**6) -> int:
    value = mapping.get(key, default) if default is not None else req(mapping, key, path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RubricError(f"{path}.{key}", "ต้องเป็นจำนวนเต็ม")
    if not lo <= value <= hi:
        raise RubricError(f"{path}.{key}", f"ต้องอยู่ระหว่าง {lo} ถึง {hi}")
    return value


def decimal(mapping: dict, key: str, path: str, *, lo: Decimal, hi: Decimal) -> Decimal:
    value = req(mapping, key, path)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RubricError(f"{path}.{key}", "ต้องเป็นตัวเลข") from None
    if isinstance(value, bool) or not lo <= number <= hi:
        raise RubricError(f"{path}.{key}", f"ต้องอยู่ระหว่าง {lo} ถึง {hi}")
    return number


def date(mapping: dict, key: str, path: str) -> dt.date:
    value = req(mapping, key, path)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RubricError(f"{path}.{key}", "ต้องเป็นวันที่ ค.ศ. รูปแบบ YYYY-MM-DD") from None
