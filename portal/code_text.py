"""What a chain result code means, in the visitor's language.

    meaning(code)     Korean from ``KOREAN`` for a Korean reader, else ``protocol.codes.describe``

The English meanings belong to the chain (``protocol.codes``, shared with the CLI and the logs); the
Korean ones are here, one per registered code (a test keeps the two sets equal), so a refusal is
explained in plain Korean while the chain's own detail (its log) is shown as the chain wrote it.
"""

from __future__ import annotations

from protocol.codes import Code, describe

from .i18n import language

__all__ = ["KOREAN", "meaning"]

KOREAN: dict[str, str] = {
    "OK": "승인됨",
    "MALFORMED_TX": "바이트가 올바른 ETS 거래 봉투(envelope) 형식이 아닙니다",
    "WRONG_CHAIN_ID": "다른 체인용으로 서명된 거래입니다",
    "UNKNOWN_SIGNER": "서명자가 등록된 계정이 아닙니다",
    "BAD_SIGNATURE": "서명이 거래 본문 및 서명자의 키와 맞지 않습니다",
    "NONCE_REPLAYED": "이미 사용된 논스입니다 (재전송 또는 중복)",
    "NONCE_AHEAD": "논스가 계정의 다음 논스보다 앞서 있습니다",
    "UNKNOWN_MESSAGE": "등록되지 않은 메시지 유형입니다",
    "INVALID_MESSAGE": "메시지 항목이 올바르지 않습니다",
    "UNAUTHORIZED": "서명자의 역할로는 이 메시지를 보낼 수 없습니다",
    "UNKNOWN_ACCOUNT": "메시지에 적힌 계정이 등록되어 있지 않습니다",
    "INSUFFICIENT_BALANCE": "잔액이 부족합니다",
    "ACCOUNT_EXISTS": "이미 등록된 계정입니다",
    "PROPOSAL_NOT_FOUND": "해당 안건이 없습니다",
    "PROPOSAL_CLOSED": "이미 집행되었거나 부결된 안건입니다",
    "PROPOSAL_EXPIRED": "안건의 기한이 지났습니다",
    "ALREADY_VOTED": "이 공무원은 이미 이 안건에 투표했습니다",
    "LIMIT_EXCEEDED": "수량 한도를 넘게 됩니다",
    "INVALID_RECIPIENT": "받는 계정의 역할로는 이것을 받을 수 없습니다",
    "BLOCK_FULL": "거래가 블록에 들어가지 못했습니다",
    "NOT_FOUND": "그 조회 경로에 저장된 것이 없습니다",
    "BAD_QUERY": "조회 경로나 그 서명이 올바르지 않습니다",
    "NOT_SUPPORTED": "체인이 사용하지 않는 ABCI 기능입니다",
    "ALREADY_REPORTED": "이 측정기기는 그날을 이미 보고했습니다",
    "PLAN_CONFLICT": "할당 계획이 이 작업을 허용하는 상태가 아닙니다",
    "PLAN_HASH_MISMATCH": "올린 계획 항목의 해시가 신고한 계획 해시와 다릅니다",
    "CHUNK_OUT_OF_ORDER": "계획 조각이 업로드가 멈춘 곳에서 이어지지 않습니다",
    "PLAN_NOT_FOUND": "그 해시의 할당 계획이 없습니다",
    "MARKET_CLOSED": "지금은 시장이 주문을 받지 않습니다",
    "ORDER_REJECTED": "주문이 시장 규칙(가격제한폭, 호가단위, 수량)에 어긋납니다",
    "ORDER_NOT_FOUND": "해당 미체결 주문이나 협의거래가 없습니다",
    "MISSING_VIEW_KEY": "봉인된 가격을 읽을 사람의 열람 키가 체인에 없습니다",
    "MALFORMED_REQUEST": "ABCI 요청을 해석할 수 없습니다 (예: UTF-8이 아닌 조회 경로)",
    "NAME_TAKEN": "같은 (정규화한) 이름으로 다른 참여자가 이미 등록되어 있습니다",
    "NOT_A_CLIENT_TX": "블록 결과는 블록 제안자가 씁니다. 이용자는 보낼 수 없습니다",
    "OBSERVER_ONLY_PUBLIC": "관측 노드는 공개 상태만 가지며 거래를 받지 않습니다. 검증인에게 요청하십시오",
    "CHECK_BACKLOG": "이 검증인에 검사를 기다리는 거래가 약 1초 분량을 넘었습니다. 잠시 후 다시 보내십시오",
    "DAY_NOT_ENDED": "보고한 날짜가 블록 시각(KST)으로 아직 끝나지 않았습니다. 자정 이후에 올리십시오",
    "VALIDATOR_NOT_FOUND": "그 공개키의 검증인이 검증인 집합에 없습니다",
    "VALIDATOR_UNCHANGED": "검증인의 의결권이 이미 그 값입니다",
    "VALIDATOR_POWER_SHIFT": "한 블록에서 의결권의 3분의 1 이상이 바뀌게 됩니다",
    "VALIDATOR_SET_EMPTY": "체인에 검증인이 하나도 남지 않게 됩니다",
    "VALIDATOR_SET_FULL": "검증인 집합이 크기 한도를 넘게 됩니다",
    "VALIDATOR_CHANGED_IN_BLOCK": "이 검증인의 의결권은 이 블록에서 이미 바뀝니다",
    "MUST_BE_SEALED": "비공개 메시지가 평문으로 전송되었습니다. 실행 키로 봉인하십시오 (/privacy 참조)",
    "NOT_A_PRIVATE_MESSAGE": "공개 메시지가 봉인되었습니다. 공개 메시지는 평문으로 보냅니다",
    "UNKNOWN_KEY_EPOCH": "체인이 지금 받지 않는 실행 키 세대로 봉인된 비공개 거래입니다",
    "EXECUTION_KEY_MISSING": "이 검증인에게 거래 세대의 실행 키가 없습니다",
    "PRIVATE_TX_UNREADABLE": "비공개 거래가 실행 키로 열리지 않습니다 (변조되었거나 형식 오류)",
    "REGULATOR_NOT_A_READER": "비공개 거래가 규제기관의 열람 키로 봉인되지 않았습니다",
    "EPOCH_NOT_NEXT": "새 실행 키는 다음 세대 번호여야 합니다",
    "ACCESS_NOT_RECORDED": "공무원은 열람 사유를 기록(record_access)한 뒤에만 기업의 비공개 정보를 읽을 수 있습니다",
    "CHANNEL_NOT_FOUND": "그 이름의 채널이 없습니다",
    "CHANNEL_EXISTS": "그 이름의 채널이 이미 열려 있습니다",
    "CHANNEL_NOT_A_MEMBER": "서명자가 채널의 현재 구성원이 아닙니다",
    "CHANNEL_NEEDS_REKEY": "채널에 현재 구성원용 키가 없습니다. 구성원이 새 키를 올려야 합니다 (rekey)",
    "CHANNEL_WRONG_EPOCH": "채널 키 세대가 채널의 현재 세대가 아닙니다 (오래된 키이거나 다음 세대가 아님)",
    "CHANNEL_WRAPS_MISMATCH": "새 채널 키가 현재 구성원 각자의 열람 키로 정확히 한 번씩 감싸지지 않았습니다",
    "CHANNEL_POST_TOO_LARGE": "채널 게시물이 한도보다 큽니다",
    "CHANNEL_DUPLICATE_POST": "이 암호문은 이미 채널에 게시되었습니다",
    "CHANNEL_UNCHANGED": "채널 구성원이 이미 정확히 이들입니다",
    "YEAR_NOT_ENDED": "이행연도가 블록 시각(KST)으로 아직 끝나지 않았습니다. 1월 1일 이후에 보고하십시오",
    "REPORT_NOT_FOUND": "기업이 그해 명세서(배출량 보고서)를 제출하지 않았습니다",
    "VERIFIER_NOT_ASSIGNED": "그 기업과 연도에 지정된 검증기관이 아닙니다",
    "STATEMENT_NOT_FOUND": "그 기업과 연도에 유효한 검증의견서가 없습니다",
    "ALREADY_CERTIFIED": "그해 배출량은 이미 인증되었습니다. 이의신청이나 재인증으로 정정하십시오",
    "NOT_CERTIFIED": "그해 배출량이 아직 인증되지 않아 이행할 의무가 없습니다",
    "VINTAGE_NOT_ELIGIBLE": "그 배출권이나 이행연도분은 해당 이행연도에 쓸 수 없습니다",
    "OFFSET_CAP_EXCEEDED": "제출한 상쇄배출권(KCU)이 상쇄 한도(의무량의 일정 비율)를 넘게 됩니다",
    "OBLIGATION_EXCEEDED": "수량이 그해 남은 의무량보다 많습니다",
    "BORROW_LIMIT_EXCEEDED": "차입이 그해 차입 한도를 넘게 됩니다",
    "BORROWING_NOT_ALLOWED": "여기서는 차입할 수 없습니다 (계획기간을 넘거나, 이월 후이거나, 계획기간의 마지막 연도)",
    "BANK_LIMIT_EXCEEDED": "이월이 그해 이월 한도(순매도량의 배수)를 넘게 됩니다",
    "BANKING_NOT_ALLOWED": "여기서는 이월할 수 없습니다 (의무 미이행, 차입 후, 또는 2030년 이후)",
    "DEADLINE_PASSED": "블록 시각으로 그해 제출 기한이 지났습니다",
    "ACCOUNT_BLOCKED": "기한이 지난 이행 부족분이 있어 계정의 출고가 막혀 있습니다",
    "OBJECTION_WINDOW_CLOSED": "이의신청 기간이 끝났습니다 (또는 이의를 제기할 대상이 없어 열리지 않았습니다)",
    "OBJECTION_NOT_FOUND": "해당 이의신청이 없습니다",
    "OBJECTION_CLOSED": "이미 결정된 이의신청입니다",
    "HISTORY_FULL": "기록이 보관할 수 있는 개정 수 한도에 이르렀습니다",
    "VINTAGE_CLOSED": "그 연도분은 제출 기한에 거래가 끝났습니다. 제출만 할 수 있습니다",
    "AUCTION_NOT_FOUND": "일정에 그 번호의 정부 경매가 없습니다",
    "AUCTION_NOT_OPEN": "경매가 지금 입찰을 받지 않습니다 (아직 열리지 않았거나 마감됨)",
    "AUCTION_BELOW_RESERVE": "입찰가가 경매의 최저가보다 낮습니다 (또는 호가단위에 맞지 않음)",
    "AUCTION_CAP_EXCEEDED": "입찰이 입찰자별 한도(경매 수량의 일정 비율)를 넘게 됩니다",
    "AUCTION_BID_LIMIT": "경매나 입찰자가 입찰 건수 한도에 이르렀습니다",
    "AUCTION_BID_NOT_FOUND": "그 경매에 해당하는 본인의 유효 입찰이 없습니다",
    "AUCTION_SCHEDULE_CONFLICT": "경매 일정을 정하거나 바꿀 수 없습니다 (시각 문제, 또는 이미 개시됨)",
    "RESERVE_EXCEEDED": "예비분 경매가 시장안정화 예비분의 몫보다 많이 가져가게 됩니다",
    "MEASURE_CONFLICT": "같은 항목에 대한 시장안정화 조치가 아직 시행 중입니다",
    "MEASURE_INVALID": "시장안정화 조치를 적용할 수 없습니다 (알 수 없는 항목, 범위 밖의 값, 하한이 상한보다 큼)",
    "BLOCK_TRADE_OUT_OF_BAND": "협의거래 가격은 그날 가격제한폭(기준가 ± market_band_bps) 안이어야 합니다",
    "PRICE_OPENING_MISMATCH": "협의거래의 가격과 솔트가 가격 약정(commitment)을 열지 못합니다",
    "HOLDING_LIMIT_EXCEEDED": "계정의 보유 한도(참여자 구분별)를 넘게 됩니다",
    "PARTICIPANT_CLASS_UNCHANGED": "계정이 이미 그 참여자 구분입니다",
    "TOO_MANY_MARKET_MAKERS": "체인은 시장조성자를 최대 50곳까지 측정합니다",
    "FOUR_EYES_REQUIRED": "이 계정은 출고에 승인자의 확인이 필요합니다: custody_transfer를 쓰십시오",
    "CUSTODY_NO_RIGHT": "대리인에게 그 계정에 대한 그 권한이 없습니다 (또는 아직 없음: 새 권한은 유예 기간 후 생깁니다)",
    "CUSTODY_LIMIT_EXCEEDED": "신뢰하지 않는 계정으로의 이전이 중앙 한도나 계정 자체 한도를 넘게 됩니다",
    "CUSTODY_NOT_FOUND": "이 계정에 그런 대리인, 신뢰 계정 항목, 대기 중인 이전이 없습니다",
    "CUSTODY_SAME_PERSON": "4-eyes 원칙: 한 사람이 시작한 것은 다른 사람이 확인해야 합니다",
    "CUSTODY_EXPIRED": "대기 중이던 이전의 기한이 지났습니다. 묶여 있던 수량은 풀렸습니다",
    "CUSTODY_FULL": "계정이 대리인, 신뢰 계정 또는 대기 중인 이전의 한도에 이르렀습니다",
    "CUSTODY_KEY_IN_USE": "그 키는 이미 등록된 계정이나 다른 대리인의 것입니다",
    "CUSTODY_UNCHANGED": "계정의 수탁 기록이 이미 그렇게 되어 있습니다",
    "INTERNAL": "내부 오류",
}


def meaning(code: int) -> str:
    """The meaning of a result ``code`` in the visitor's language (an unregistered code says so)."""
    if language() != "ko":
        return describe(code)
    try:
        return KOREAN[Code(code).name]
    except ValueError:
        return "등록되지 않은 코드"
