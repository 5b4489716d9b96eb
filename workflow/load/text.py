"""The words of generated memos: Thai subjects, bodies, opinions and reasons as a local administration writes
them, with amounts, dates and numbers in Thai digits. Built from small pools so that a million memos cost
little to make, yet search finds many different words and numbers."""

import random
from typing import Final

from core.thai import THAI_MONTHS, thai_digits

ITEMS: Final = (
    "วัสดุสำนักงาน",
    "วัสดุคอมพิวเตอร์",
    "ครุภัณฑ์สำนักงาน",
    "วัสดุไฟฟ้าและวิทยุ",
    "วัสดุงานบ้านงานครัว",
    "วัสดุก่อสร้าง",
    "น้ำมันเชื้อเพลิงและหล่อลื่น",
    "วัสดุการเกษตร",
    "วัสดุวิทยาศาสตร์หรือการแพทย์",
    "ยางรถยนต์",
    "เครื่องพิมพ์เลเซอร์",
    "อาหารเสริม (นม) โรงเรียน",
)
ACTIVITIES: Final = (
    "ตรวจสอบภายใน",
    "จัดเก็บภาษีป้ายและภาษีที่ดินและสิ่งปลูกสร้าง",
    "ซ่อมแซมถนนลูกรัง",
    "ป้องกันและควบคุมโรคไข้เลือดออก",
    "ฝึกอบรมอาสาสมัครป้องกันภัยฝ่ายพลเรือน",
    "สำรวจข้อมูลผู้สูงอายุและผู้พิการ",
    "ประชาสัมพันธ์การชำระภาษี",
    "ขุดลอกคลองสาธารณะ",
    "จัดงานวันเด็กแห่งชาติ",
    "ติดตั้งไฟฟ้าส่องสว่างสาธารณะ",
)
MEETINGS: Final = (
    "คณะกรรมการพัฒนาท้องถิ่น",
    "คณะกรรมการตรวจรับพัสดุ",
    "สภาองค์การบริหารส่วนตำบล สมัยสามัญ",
    "คณะทำงานจัดทำแผนอัตรากำลัง",
    "ประจำเดือนพนักงานส่วนตำบล",
)
PLACES: Final = (
    "ศาลากลางจังหวัดเพชรบุรี",
    "ที่ว่าการอำเภอเมืองเพชรบุรี",
    "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด",
    "กรุงเทพมหานคร",
    "จังหวัดประจวบคีรีขันธ์",
    "โรงแรมในตัวจังหวัด",
)
MONTHS: Final = THAI_MONTHS
CLOSINGS: Final = (
    "จึงเรียนมาเพื่อโปรดพิจารณา",
    "จึงเรียนมาเพื่อโปรดทราบ",
    "จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ",
    "จึงเรียนมาเพื่อโปรดทราบและพิจารณาสั่งการ",
)
COSIGN_OPINIONS: Final = ("", "", "", "เห็นชอบ", "ตรวจสอบแล้ว", "ตรวจสอบแล้ว ถูกต้อง")
OPINIONS: Final = (
    "เห็นควรอนุมัติ",
    "เห็นควรพิจารณาอนุมัติ ตามเสนอ",
    "เห็นควรอนุมัติ ตามระเบียบกระทรวงมหาดไทย ข้อ {n}",
    "เห็นควรพิจารณา วงเงิน {amount} บาท",
    "ทราบ เห็นควรแจ้งเวียนทุกกองทราบ",
    "ตรวจสอบแล้ว มีงบประมาณเพียงพอ {amount} บาท",
    "เห็นควรมอบกองคลังดำเนินการต่อไป",
)
OTHER_ORDERS: Final = (
    "มอบกองคลังดำเนินการต่อไป",
    "ให้ดำเนินการตามระเบียบ และรายงานผลภายใน {n} วัน",
    "อนุมัติเฉพาะรายการที่ {n}",
)
RETURN_REASONS: Final = (
    "แก้ไขวงเงินให้ตรงกับใบเสนอราคา",
    "แนบใบเสนอราคาเพิ่มเติมอย่างน้อย {n} ราย",
    "ตรวจสอบเลขที่ข้อบัญญัติงบประมาณอีกครั้ง",
    "แก้ไขเรื่องให้ชัดเจน",
)
REJECT_REASONS: Final = (
    "ไม่มีงบประมาณ",
    "ไม่เป็นไปตามระเบียบ ข้อ {n}",
    "ให้ชะลอไว้ก่อน",
)
WITHDRAW_REASONS: Final = ("ขอแก้ไขหลักการ", "ส่งผิดเส้นทาง", "")
USER_AGENTS: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)
FIRST_NAMES: Final = (
    "สมชาย",
    "สมหญิง",
    "กัลยา",
    "ธนพล",
    "วีระพงษ์",
    "สุภาพร",
    "ประเสริฐ",
    "อรุณี",
    "ณัฐวุฒิ",
    "พรทิพย์",
    "ชัยวัฒน์",
    "มาลัย",
    "จิราพร",
    "สุรเชษฐ์",
    "ปิยะนุช",
    "อนุชา",
)
LAST_NAMES: Final = (
    "ใจดี",
    "ศรีสวัสดิ์",
    "ทองมา",
    "แก้วประเสริฐ",
    "บุญมี",
    "วงศ์ทองดี",
    "เมืองเล็ก",
    "อนุกุล",
    "สุขเจริญ",
    "พึ่งบุญ",
    "รักษ์ไทย",
    "มั่นคง",
)


def amount(rng: random.Random) -> str:
    """An amount of baht as printed: ๑๒,๕๐๐."""
    return thai_digits(f"{rng.randrange(5, 5000) * 100:,}")


def fill(template: str, rng: random.Random) -> str:
    if "{" not in template:
        return template
    return template.format(n=thai_digits(rng.randrange(1, 40)), amount=amount(rng))


def subject(rng: random.Random, year_be: int) -> str:
    kind = rng.randrange(6)
    year = thai_digits(year_be)
    if kind <= 1:
        return f"ขออนุมัติจัดซื้อ{rng.choice(ITEMS)} จำนวน {thai_digits(rng.randrange(1, 30))} รายการ"
    if kind == 2:
        return f"รายงานผลการ{rng.choice(ACTIVITIES)} ประจำเดือน{rng.choice(MONTHS)} {year}"
    if kind == 3:
        return f"ขอเชิญประชุม{rng.choice(MEETINGS)} ครั้งที่ {thai_digits(rng.randrange(1, 12))}/{year}"
    if kind == 4:
        return f"ขออนุญาตเดินทางไปราชการ ณ {rng.choice(PLACES)}"
    return f"ขอความเห็นชอบโครงการ{rng.choice(ACTIVITIES)} ปีงบประมาณ {year}"


def body(rng: random.Random, subject_text: str) -> str:
    """Two to four paragraphs, one a line (Memo.body)."""
    lines = [
        f"ตามที่ได้รับมอบหมายให้ดำเนินการเรื่อง{subject_text.split(' ')[0]} "
        f"ตามหนังสือที่ {thai_digits(rng.randrange(100, 9999))}/{thai_digits(rng.randrange(1, 999))} "
        f"ลงวันที่ {thai_digits(rng.randrange(1, 29))} {rng.choice(MONTHS)} นั้น",
        f"ในการนี้ ได้ตรวจสอบแล้ว ใช้งบประมาณ {amount(rng)} บาท "
        f"จากแผนงาน{rng.choice(ACTIVITIES)} รายการที่ {thai_digits(rng.randrange(1, 60))}",
    ]
    if rng.random() < 0.5:
        lines.append(
            f"ทั้งนี้ ได้ประสานกับ{rng.choice(PLACES)} และผู้เกี่ยวข้อง จำนวน {thai_digits(rng.randrange(2, 80))} คน แล้ว"
        )
    lines.append(rng.choice(CLOSINGS))
    return "\n".join(lines)
