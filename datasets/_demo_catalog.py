"""The vocabulary of the demo data: sectors, industries, name parts, regions, agencies, verifiers.

Sector (부문) and industry (업종) names are the ones the ETRS Phase 3 files use; the weights roughly
follow how many covered companies each industry has there, and the auctioned flag (유상여부) is
the one the published pre-allocation gives that industry (trade-exposed industries are fully free).
``intensity`` is tCO2-eq per TJ of energy, so a statement's energy use looks plausible; ``heavy``
industries draw their size twice and keep the larger, so they hold most of the very large emitters.
Company names are made from neutral syllables and business words; any likeness to a real
company is chance.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Industry",
    "INDUSTRIES",
    "SIZE_BUCKETS",
    "BRAND_SYLLABLES",
    "BUSINESS_WORDS",
    "LEGAL_FORMS",
    "MUNICIPALITIES",
    "REGIONS",
    "VERIFIERS",
    "SITE_KINDS",
]


@dataclass(frozen=True)
class Industry:
    sector: str  # 부문
    name: str  # 업종
    weight: int  # relative number of companies
    auctioned: bool  # 유상여부
    intensity: int  # tCO2-eq per TJ
    heavy: bool  # draws larger sizes
    agency: str  # 관장기관 of its statements
    words: tuple[str, ...]  # business words for names


_ENV = "기후에너지환경부"
_IND = "산업통상부"
_LAND = "국토교통부"

INDUSTRIES: tuple[Industry, ...] = (
    Industry("전환", "전기업", 30, True, 90, True, _ENV, ("파워", "발전", "에너지", "전력")),
    Industry("전환", "증기, 냉ㆍ온수 및 공기 조절 공급업", 40, True, 60, False, _ENV, ("에너지", "열병합", "집단에너지")),
    Industry("전환", "연료용 가스 제조 및 배관공급업", 2, True, 56, False, _ENV, ("도시가스", "가스")),
    Industry("산업", "기초 화학물질 제조업", 64, False, 110, True, _IND, ("케미칼", "화학", "유화")),
    Industry("산업", "펄프, 종이 및 판지 제조업", 40, False, 70, False, _IND, ("제지", "페이퍼", "판지")),
    Industry("산업", "1차 철강 제조업", 38, False, 190, True, _IND, ("철강", "제철", "스틸", "특수강")),
    Industry("산업", "시멘트, 석회, 플라스터 및 그 외 제품 제조업", 31, False, 260, True, _IND, ("시멘트", "석회", "레미콘")),
    Industry("산업", "1차 비철금속 제조업", 27, False, 95, False, _IND, ("금속", "비철", "알루미늄")),
    Industry("산업", "자동차 신품 부품 제조업", 27, True, 55, False, _IND, ("오토텍", "모터스", "정밀")),
    Industry("산업", "반도체 제조업", 24, False, 60, True, _IND, ("반도체", "세미콘", "실리콘")),
    Industry("산업", "전자 부품 제조업", 19, False, 58, False, _IND, ("전자", "디스플레이", "일렉트로닉스")),
    Industry("산업", "합성고무 및 플라스틱 물질 제조업", 19, False, 80, False, _IND, ("폴리머", "수지", "플라스틱")),
    Industry("산업", "유리 및 유리제품 제조업", 15, False, 90, False, _IND, ("유리", "글라스")),
    Industry("산업", "플라스틱 제품 제조업", 15, True, 55, False, _IND, ("산업", "필름")),
    Industry("산업", "일차전지 및 축전지 제조업", 12, False, 50, False, _IND, ("배터리", "에너지솔루션", "머티리얼즈")),
    Industry("산업", "기타 식품 제조업", 12, True, 52, False, _IND, ("식품", "푸드")),
    Industry("산업", "석유 정제품 제조업", 6, False, 70, True, _IND, ("정유", "오일뱅크", "에너지")),
    Industry("산업", "선박 및 보트 건조업", 10, False, 55, False, _IND, ("중공업", "조선", "해양")),
    Industry("산업", "자동차용 엔진 및 자동차 제조업", 6, True, 50, False, _IND, ("자동차", "모빌리티")),
    Industry("산업", "화학섬유 제조업", 7, False, 75, False, _IND, ("섬유", "화섬")),
    Industry("수송", "육상 여객 운송업", 37, False, 70, False, _LAND, ("여객", "교통", "버스")),
    Industry("수송", "도로 화물 운송업", 16, True, 72, False, _LAND, ("물류", "로지스틱스", "통운")),
    Industry("수송", "항공 여객 운송업", 8, True, 72, False, _LAND, ("항공", "에어")),
    Industry("수송", "해상 운송업", 6, True, 77, False, _LAND, ("해운", "마린", "상선")),
    Industry("건물", "고등 교육기관", 16, False, 50, False, _LAND, ("대학교",)),
    Industry("건물", "종합 소매업", 6, True, 48, False, _LAND, ("백화점", "쇼핑", "리테일")),
    Industry("건물", "부동산 임대 및 공급업", 6, True, 48, False, _LAND, ("개발", "자산관리", "타워")),
    Industry("건물", "병원", 5, False, 52, False, _LAND, ("의료재단", "병원")),
    Industry("건물", "일반 및 생활 숙박시설 운영업", 6, True, 50, False, _LAND, ("호텔", "리조트")),
    Industry("폐기물", "폐기물 처리업", 107, False, 320, False, _ENV, ("환경", "엔텍", "에코", "자원")),
    Industry("폐기물", "하수, 폐수 및 분뇨 처리업", 10, False, 300, False, _ENV, ("수처리", "환경")),
    Industry("공공ㆍ기타", "수도업", 3, True, 60, False, _ENV, ("수자원", "상수도")),
)

# (low, high, weight per 1000) of a company's latest annual emissions in tCO2-eq:
# most companies sit around the 125,000 t company threshold, a few emit tens of millions.
SIZE_BUCKETS: tuple[tuple[int, int, int], ...] = (
    (25_000, 60_000, 120),
    (60_000, 100_000, 170),
    (100_000, 125_000, 170),
    (125_000, 160_000, 185),
    (160_000, 300_000, 150),
    (300_000, 1_000_000, 123),
    (1_000_000, 5_000_000, 60),
    (5_000_000, 20_000_000, 18),
    (20_000_000, 80_000_000, 4),
)

BRAND_SYLLABLES = (
    "가", "강", "건", "경", "고", "광", "금", "기", "나", "남", "누", "다", "대", "도", "동", "두", "라", "란",
    "로", "리", "마", "명", "모", "무", "미", "민", "바", "백", "범", "보", "부", "사", "산", "삼", "상", "새",
    "서", "선", "성", "세", "소", "수", "승", "신", "아", "안", "영", "예", "오", "온", "우", "원", "유", "윤",
    "은", "이", "인", "일", "자", "장", "재", "정", "제", "조", "주", "중", "지", "진", "차", "창", "천", "청",
    "초", "태", "통", "파", "평", "포", "하", "한", "해", "현", "형", "혜", "호", "화", "환", "효", "휘", "흥",
)

# Generic words mixed into any name (besides the industry's own words).
BUSINESS_WORDS = ("산업", "테크", "글로벌", "홀딩스", "인더스트리", "솔루션", "코리아")

# How the legal form (주식회사) is written around a name: {} is the name.
LEGAL_FORMS = ("(주){}", "{}(주)", "주식회사 {}", "{} 주식회사", "㈜{}", "{}㈜", "주식회사{}")

MUNICIPALITIES = (
    "가평군", "강릉시", "거제시", "경주시", "고양시", "공주시", "광명시", "구미시", "군산시", "김포시", "김해시",
    "남양주시", "논산시", "당진시", "동해시", "목포시", "밀양시", "보령시", "부천시", "삼척시", "서산시",
    "속초시", "수원시", "순천시", "시흥시", "아산시", "안동시", "안산시", "안양시", "양산시", "여수시",
    "영주시", "오산시", "용인시", "원주시", "익산시", "전주시", "제천시", "진주시", "창원시", "천안시",
    "청주시", "춘천시", "충주시", "통영시", "파주시", "평택시", "포항시", "화성시", "부산광역시", "대구광역시",
    "인천광역시", "광주광역시", "대전광역시", "울산광역시",
)

# (region, towns used in site names)
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("서울특별시", ("강서", "구로", "마포", "성동")),
    ("부산광역시", ("사상", "강서", "기장", "사하")),
    ("인천광역시", ("남동", "서구", "송도", "청라")),
    ("울산광역시", ("온산", "울주", "남구", "북구")),
    ("경기도", ("평택", "화성", "안산", "시흥", "이천", "파주")),
    ("충청남도", ("당진", "서산", "아산", "보령", "천안")),
    ("충청북도", ("청주", "충주", "음성", "제천")),
    ("전라남도", ("여수", "광양", "목포", "영암")),
    ("전북특별자치도", ("군산", "익산", "전주", "완주")),
    ("경상북도", ("포항", "구미", "경주", "영주")),
    ("경상남도", ("창원", "거제", "김해", "진주")),
    ("강원특별자치도", ("동해", "삼척", "강릉", "원주")),
)

# (site kind suffix by sector)
SITE_KINDS = {
    "전환": ("발전소", "열병합발전소", "에너지센터"),
    "산업": ("공장", "사업장", "제2공장"),
    "건물": ("사옥", "캠퍼스", "점"),
    "수송": ("차고지", "사업소", "물류센터"),
    "폐기물": ("소각장", "자원회수시설", "매립장"),
    "공공ㆍ기타": ("정수장", "사업소"),
}

VERIFIERS = (
    "한국표준협회",
    "(재)한국품질재단",
    "(주)한국경영인증원",
    "(주)비에스아이그룹코리아",
    "㈜디엔브이비즈니스어슈어런스코리아",
    "로이드인증원㈜",
    "한국생산성본부인증원(주)",
    "한국산업기술시험원",
)
