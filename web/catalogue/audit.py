"""Vietnamese messages for the error codes of the audit area (merged into
``web.catalogue.MESSAGES``; one module per area so areas do not edit one file),
and the Vietnamese names of the checks the workspace shows."""

from __future__ import annotations

from functools import lru_cache

MESSAGES: dict[str, str] = {
    "audit.subject_not_found": "Không tìm thấy hồ sơ (đối tượng) cần kiểm tra.",
    "audit.subject_invalid": "Mã hồ sơ “{value}” không hợp lệ (cần một mã UUID).",
    "audit.state_unreadable": (
        "Không dựng lại được trạng thái của hồ sơ vì dữ liệu lưu trữ không còn "
        "khớp chữ ký; xem lịch sử để biết vị trí sai lệch."
    ),
    "audit.out_of_scope": (
        "Hồ sơ này nằm ngoài phạm vi kiểm tra của bạn (tổ chức của bạn và cấp dưới)."
    ),
    "audit.version_unknown": (
        "Phiên bản không hợp lệ; hồ sơ có các phiên bản từ 1 đến {last}."
    ),
    "audit.date_invalid": (
        "Thời điểm “{value}” không hợp lệ; hãy nhập ngày dạng năm-tháng-ngày."
    ),
    "audit.naive_time": "Thời điểm phải kèm múi giờ.",
    "audit.event_not_found": "Không tìm thấy sự kiện trong sổ cái.",
    "audit.no_checkpoint": (
        "Chưa có checkpoint nào được ký; hãy tạo checkpoint rồi thử lại."
    ),
    "audit.checkpoint_not_found": "Không có checkpoint có kích thước {size}.",
    "audit.no_log_key": (
        "Máy chủ này không có khóa sổ cái nên không ký được checkpoint; "
        "checkpoint do tiến trình worker ký."
    ),
    "audit.checkpoint_invalid": "Checkpoint không hợp lệ: {reason_label}.",
    "audit.no_cosigner_key": (
        "Khóa của bạn chưa có tên đồng ký. Đề nghị quản trị cấp lại mật khẩu để "
        "nhận khóa mới dành cho Ủy ban Kiểm tra."
    ),
    "audit.already_cosigned": "Bạn đã đồng ký checkpoint có kích thước {size}.",
    "audit.cosignature_invalid": (
        "Dòng đồng ký không hợp lệ với khóa đã đăng ký của bạn: {reason_label}."
    ),
    # -- cosigning on the member's own machine (``kiemdiem cosign``) ----------------
    "audit.trust_root_invalid": "Tệp gốc tin cậy không dùng được: {reason}.",
    "audit.key_file_invalid": (
        "Tệp khóa không phải tệp khóa xuất bằng `kiemdiem key export` (hoặc đã bị sửa)."
    ),
    "audit.key_locked": "Không mở được khóa: sai mật khẩu, hoặc tệp khóa đã bị sửa.",
    "audit.key_mismatch": (
        "Tệp khóa không nhất quán (mã khóa không khớp với khóa): tệp đã bị sửa; "
        "hãy xuất lại bằng `kiemdiem key export`."
    ),
    "audit.job_not_found": (
        "Không tìm thấy lượt kiểm tra này (máy chủ có thể đã khởi động lại)."
    ),
    "audit.view_unknown": "Loại truy cập không hợp lệ.",
    "audit.wrong_log": "Lượt xem không thuộc nhật ký truy cập này.",
    "audit.no_key": "Tài khoản chưa có khóa ký.",
}

# Why a checkpoint or a cosignature line was refused (``ledger.note.NoteError.reason``):
# the ``{reason_label}`` of audit.checkpoint_invalid and audit.cosignature_invalid.
NOTE_REASONS: dict[str, str] = {
    "malformed": (
        "nội dung không đúng định dạng (tệp hoặc dòng bị cắt, bị sửa hay dán thiếu)"
    ),
    "untrusted": (
        "không mang chữ ký hợp lệ của sổ cái theo gốc tin cậy "
        "(bị sửa, hoặc của một sổ cái khác)"
    ),
    "another_log": "điểm chốt thuộc một sổ cái khác",
    "wrong_key": "không phải chữ ký bằng khóa đồng ký của bạn",
    "bad_signature": "chữ ký không khớp với checkpoint này",
}

CHECK_LABELS: dict[str, str] = {
    "ok": "Hợp lệ",
    "malformed_envelope": "Bản ghi hỏng",
    "non_canonical_content": "Nội dung bị sửa (không chuẩn)",
    "position_mismatch": "Vị trí không khớp nội dung ký",
    "wrong_origin": "Ký cho sổ cái khác",
    "unknown_key": "Khóa không được đăng ký",
    "key_not_yet_valid": "Khóa chưa có hiệu lực",
    "key_revoked": "Khóa đã bị thu hồi",
    "key_actor_mismatch": "Khóa của người khác",
    "log_key_misuse": "Dùng khóa sổ cái để ký sự kiện",
    "unauthorised_key_event": "Đăng ký khóa trái phép",
    "bad_signature": "Chữ ký không khớp nội dung",
    "chain_break": "Đứt chuỗi liên kết",
    "rollback": "Sổ cái bị cắt ngắn (rollback)",
    "fork": "Sổ cái bị viết lại (fork)",
    "cosignature_missing": "Chữ ký đồng ký đã biến mất",
    "consistent": "Nhất quán",
    "ahead": "Chưa có checkpoint mới hơn",
    "version_gap": "Thiếu phiên bản trong chuỗi",
    "leaf_mismatch": "Lá của sổ cái không khớp sự kiện",
    "leaf_missing": "Sự kiện chưa có lá trong sổ cái",
    "leaf_extra": "Lá thừa trong sổ cái",
    "index_not_dense": "Chỉ số sổ cái không liên tục",
    "not_integrated": "Sự kiện chưa được đưa vào sổ cái",
    "checkpoint_bad_signature": "Chữ ký checkpoint không hợp lệ",
    "checkpoint_root_mismatch": "Gốc checkpoint không khớp sổ cái",
    "log_shorter_than_checkpoint": "Sổ cái ngắn hơn checkpoint (rollback)",
    "checkpoint_inconsistent": "Checkpoint không nhất quán với nhau",
    "equivocation": "Sổ cái ký hai lịch sử khác nhau",
    "cosignature_invalid": "Chữ ký đồng ký không hợp lệ",
    "prefix_rewritten": "Phần đầu sổ cái bị viết lại",
}

# The stages of a whole-ledger verification (ledger.verify.CHECKS) and their
# results, for the report table (the codes stay in the technical fold).
VERIFY_CHECK_LABELS: dict[str, str] = {
    "inputs": "Dữ liệu đầu vào (gốc tin cậy, kết nối)",
    "prefix": "Phần đầu sổ cái đã được kiểm tra trước đây",
    "genesis": "Sự kiện khởi tạo (khóa quản trị gốc)",
    "rows": "Bản ghi sự kiện",
    "keys": "Khóa ký số",
    "signatures": "Chữ ký số",
    "streams": "Chuỗi liên kết của từng hồ sơ",
    "global_log": "Sổ cái chung (cây Merkle)",
    "stored_checkpoints": "Checkpoint đã lưu",
    "auditor_checkpoints": "Checkpoint Ủy ban Kiểm tra nắm giữ",
    "cosignatures": "Chữ ký đồng ký",
}
VERIFY_STATUS_LABELS: dict[str, str] = {
    "OK": "Đạt",
    "FAIL": "Không đạt",
    "WARN": "Cần lưu ý",
}

# Body fields the history shows as "why" (services.audit_values.EXPLANATION_FIELDS).
FIELD_LABELS: dict[str, str] = {
    "explanation": "Giải thích",
    "decision_no": "Số quyết định",
    "decided_on": "Ngày quyết định",
    "rulebook_id": "Quy định áp dụng",
    "rulebook": "Quy định áp dụng",
    "rules": "Các quy tắc đã dùng",
    "rule": "Quy tắc",
    "basis": "Căn cứ",
    "justification": "Lý do",
    "reason": "Lý do",
    "band": "Mức tín nhiệm",
}

# What a subject is, by its aggregate class (others keep the class name).
SUBJECT_KIND_LABELS: dict[str, str] = {
    "PartyMember": "Đảng viên",
    "Organisation": "Tổ chức đảng",
    "UserAccount": "Tài khoản",
    "SigningKey": "Khóa ký",
    "Vote": "Cuộc lấy phiếu tín nhiệm",
    "ConfidenceVote": "Kết quả lấy phiếu tín nhiệm",
    "ReviewCycle": "Kỳ kiểm điểm",
    "Review": "Hồ sơ kiểm điểm",
    "RatingRound": "Đợt đánh giá, xếp loại",
    "RemediationPlan": "Hồ sơ khắc phục hạn chế, khuyết điểm",
    "FileAccessLog": "Nhật ký truy cập hồ sơ",
    "SignInLog": "Nhật ký đăng nhập",
    "CheckpointCosignature": "Chữ ký đồng ký checkpoint",
}

# What each incident means, for the committee (the detail stays technical).
INCIDENT_TEXT: dict[str, str] = {
    "rollback": (
        "Sổ cái hiện ngắn hơn so với lúc Ủy ban Kiểm tra ghi nhận checkpoint: có sự "
        "kiện đã bị xóa khỏi cuối sổ hoặc cơ sở dữ liệu đã bị khôi phục về bản cũ."
    ),
    "fork": (
        "Các sự kiện hiện lưu cho ra một gốc khác với checkpoint Ủy ban Kiểm tra đang "
        "giữ: lịch sử đã bị viết lại, hoặc sổ cái đã ký hai lịch sử khác nhau."
    ),
    "cosignature_missing": (
        "Chữ ký đồng ký đã được ghi nhận nay không còn trong sổ cái."
    ),
}


# Vietnamese names of the recorded events, keyed by "Aggregate.Event" (or the bare
# topic of the vote events), for history pages. Every committed topic has one.
EVENT_LABELS: dict[str, str] = {
    "CheckpointCosignature.CheckpointCosigned": "Đồng ký checkpoint",
    "ConfidenceVote.ConsequenceFlagged": "Ghi nhận hệ quả tín nhiệm thấp",
    "ConfidenceVote.Held": "Kết quả lấy phiếu tín nhiệm",
    "ConfidenceVote.Prepared": "Chuẩn bị lấy phiếu tín nhiệm",
    "FileAccessLog.FileAccessed": "Xem hồ sơ",
    "FileAccessLog.Started": "Mở nhật ký truy cập hồ sơ",
    "SignInLog.Started": "Mở nhật ký đăng nhập",
    "SignInLog.SignedIn": "Đăng nhập",
    "SignInLog.SignedOut": "Đăng xuất",
    "Organisation.Dissolved": "Giải thể tổ chức",
    "Organisation.Founded": "Thành lập tổ chức",
    "Organisation.Renamed": "Đổi tên tổ chức",
    "Organisation.MovedUnder": "Chuyển trực thuộc tổ chức cấp trên",
    "Organisation.KindChanged": "Đổi loại hình tổ chức",
    "Organisation.MergedInto": "Hợp nhất vào tổ chức kế tục",
    "Organisation.PeerGroupsFollowDecided": (
        "Quyết định về nhóm tương đồng khi sắp xếp tổ chức"
    ),
    "Organisation.Absorbed": "Tiếp nhận tổ chức hợp nhất, chia tách",
    "Organisation.SplitInto": "Chia tách thành các tổ chức kế tục",
    "Organisation.SectorSet": "Ghi nhận khối (đảng, chính quyền, chuyên môn, đoàn thể)",
    "Organisation.ConclusionRecorded": "Ghi nhận kết luận về tập thể",
    "Organisation.TaskResultsRecorded": "Ghi nhận kết quả thực hiện nhiệm vụ, chỉ tiêu",
    "Organisation.CaseRecorded": "Ghi nhận vụ việc tham nhũng, lãng phí, tiêu cực",
    "Organisation.DisciplineRecorded": "Ghi nhận kỷ luật tổ chức",
    "PartyMember.ConfidenceResultRecorded": "Ghi nhận kết quả tín nhiệm",
    "PartyMember.DegradationConcluded": "Kết luận suy thoái",
    "PartyMember.DisciplineRecorded": "Ghi nhận kỷ luật",
    "PartyMember.Enrolled": "Ghi nhận đảng viên",
    "PartyMember.ExemptionRecorded": "Ghi nhận miễn / đình chỉ sinh hoạt",
    "PartyMember.FullMembershipConfirmed": "Công nhận đảng viên chính thức",
    "PartyMember.LeaveRecorded": "Ghi nhận nghỉ",
    "PartyMember.PostAssigned": "Giao chức vụ",
    "PartyMember.PostEnded": "Thôi chức vụ",
    "PartyMember.OversightAssigned": "Phân công trực tiếp phụ trách",
    "PartyMember.OversightEnded": "Thôi phụ trách",
    "PartyMember.TemporaryCellAttached": "Sinh hoạt tạm thời",
    "PartyMember.TemporaryCellDetached": "Thôi sinh hoạt tạm thời",
    "PartyMember.TemporaryCellFollowed": (
        "Chuyển nơi sinh hoạt tạm thời theo quyết định sắp xếp"
    ),
    "PartyMember.Transferred": "Chuyển sinh hoạt đảng",
    "PartyMember.WorkSituationSet": "Ghi nhận nơi công tác",
    "CriteriaRefinement.CriteriaRefined": "Cụ thể hoá tiêu chí đánh giá",
    "RatingRound.ChairResponsibilityReviewOrdered": "Xem xét trách nhiệm người chủ trì",
    "RatingRound.Opened": "Mở đợt xếp loại",
    "RatingRound.PeerGroupCarried": "Chuyển nhóm tương đồng sang tổ chức kế tục",
    "RatingRound.PeerGroupDefined": "Xác định nhóm tương đồng",
    "RatingRound.QuotaExceptionGranted": "Nâng tỉ lệ xuất sắc",
    "RatingRound.RatingCancelled": "Hủy kết quả xếp loại",
    "RatingRound.RatingDecided": "Quyết định xếp loại",
    "RatingRound.RatingHeldForVerification": "Tạm dừng xếp loại để xác minh",
    "RatingRound.RatingProposed": "Đề xuất xếp loại",
    "RatingRound.RatingRedoOrdered": "Yêu cầu xếp loại lại từ đầu",
    "RatingRound.RatingRevised": "Xếp loại lại",
    "RatingRound.RatingStepsCarried": ("Chuyển các bước xếp loại sang tổ chức kế tục"),
    "RatingRound.SelfRated": "Tự đánh giá, xếp loại",
    "RatingRound.TriggerMitigationDecided": "Quyết định về tình tiết giảm nhẹ",
    "RatingRound.VerificationConcluded": "Kết luận xác minh",
    "RemediationPlan.Opened": "Mở hồ sơ khắc phục hạn chế, khuyết điểm",
    "RemediationPlan.RemediationClosed": "Xác nhận đã khắc phục",
    "RemediationPlan.RemediationCompletionClaimed": "Báo cáo hoàn thành khắc phục",
    "RemediationPlan.RemediationPlanAdopted": "Thông qua kế hoạch khắc phục",
    "RemediationPlan.RemediationPlanFollowed": (
        "Chuyển hồ sơ khắc phục theo quyết định sắp xếp, tổ chức lại"
    ),
    "RemediationPlan.RemediationProgressReported": "Báo cáo tiến độ khắc phục",
    "RemediationPlan.RemediationRefused": "Không xác nhận đã khắc phục",
    "RemediationPlan.ShortcomingRecorded": "Ghi nhận hạn chế, khuyết điểm",
    "RemediationPlan.ShortcomingRecurred": "Hạn chế, khuyết điểm tái diễn",
    "Review.CollectiveReportCirculated": "Gửi báo cáo kiểm điểm tập thể",
    "Review.CommentAdded": "Góp ý",
    "Review.EvaluatorOpinionRecorded": "Ý kiến chủ thể tham gia đánh giá",
    "Review.MeetingHeld": "Hội nghị kiểm điểm",
    "Review.Opened": "Mở hồ sơ kiểm điểm",
    "Review.RedoOrdered": "Yêu cầu kiểm điểm lại",
    "ReReviewOrder.ReReviewOrdered": "Yêu cầu tiến hành lại kiểm điểm, xếp loại",
    "Review.ResidenceCommentRecorded": "Nhận xét của nơi cư trú",
    "Review.SelfReviewSubmitted": "Nộp bản tự kiểm điểm",
    "Review.SuggestionIssued": "Gợi ý kiểm điểm",
    "Review.TemporaryCellCommentRecorded": "Nhận xét của chi bộ sinh hoạt tạm thời",
    "Commendation.AwardGranted": "Quyết định khen thưởng",
    "ReviewCycle.Closed": "Kết thúc đợt kiểm điểm",
    "ReviewCycle.CombinedConferenceSet": "Kiểm điểm gộp tại hội nghị cấp ủy",
    "ReviewCycle.DeadlineSet": "Đặt thời hạn",
    "ReviewCycle.Opened": "Mở đợt kiểm điểm",
    "ReviewCycle.SubjectsAdded": "Ghi danh sách đối tượng kiểm điểm",
    "ReviewCycle.SubjectsChanged": "Thay đổi danh sách đối tượng",
    "ReviewCycle.SubjectsRefreshed": "Cập nhật danh sách đối tượng",
    "SigningKey.KeyRegistered": "Đăng ký khóa ký số",
    "SigningKey.KeyRevoked": "Thu hồi khóa ký số",
    "UserAccount.Disabled": "Khóa tài khoản",
    "UserAccount.Opened": "Tạo tài khoản",
    "UserAccount.RolesChanged": "Đổi vai trò",
    "VoteAbandoned": "Hủy cuộc lấy phiếu",
    "VoteAttendanceRecorded": "Ghi nhận số người dự",
    "VoteBallotCast": "Phiếu bầu",
    "VoteCredentialsPublished": "Công bố danh sách phiếu phát ra",
    "VoteCredentialsVoided": "Hủy phiếu chưa phát",
    "VoteElectionCreated": "Tạo cuộc lấy phiếu",
    "VoteElectionKeyPublished": "Công bố khóa bầu cử",
    "VoteEligibleAccountsPublished": "Công bố danh sách được bỏ phiếu",
    "VoteKeyCeremonyAborted": "Hủy phiên tạo khóa",
    "VoteMinutesSigned": "Ký biên bản kiểm phiếu",
    "VotePartialDecryption": "Giải mã thành phần",
    "VoteTallyPublished": "Công bố kết quả",
    "VoteTrusteeCommitted": "Thành viên ban kiểm phiếu cam kết khóa",
    "VoteTrusteeComplaint": "Khiếu nại về phần khóa",
    "VoteTrusteeRegistered": "Đăng ký thành viên ban kiểm phiếu",
    "VoteTrusteeShareSent": "Gửi phần khóa",
    "VoteTrusteeSharesVerified": "Xác nhận phần khóa",
    "VoteVotingClosed": "Kết thúc bỏ phiếu",
    "VoteVotingOpened": "Bắt đầu bỏ phiếu",
}


# A bare event name (the history's filter lists names without their record) that
# several kinds of record share.
SHARED_EVENT_NAMES: dict[str, str] = {
    "Opened": "Mở hồ sơ",
    "DisciplineRecorded": "Ghi nhận kỷ luật",
    "Started": "Mở nhật ký",
}


@lru_cache(maxsize=4096)
def event_label(topic: str) -> str:
    """The Vietnamese name of an event from its stored topic, or from its bare name
    (``Opened``); the raw name only for an event this catalogue does not know yet.
    Of constant tables only, so each topic is looked up once per process (a bare
    name scans every label)."""
    key = topic.rpartition(":")[2]
    if key in EVENT_LABELS:
        return EVENT_LABELS[key]
    if "." not in key:
        if key in SHARED_EVENT_NAMES:
            return SHARED_EVENT_NAMES[key]
        same = {v for k, v in EVENT_LABELS.items() if k.rpartition(".")[2] == key}
        if len(same) == 1:
            return same.pop()
    return key


# -- the readable form of a signed entry (issue 13: one file per person) ------------
# The body fields a person reads, by their stored name; a field without a label is
# technical and stays in the "Chi tiết kỹ thuật" fold (the raw signed JSON).
BODY_FIELD_LABELS: dict[str, str] = {
    "subject_key": "Đối tượng",
    "subject_name": "Đối tượng",
    "subject_kind": "Loại đối tượng",
    "member_id": "Đảng viên",
    "full_name": "Họ và tên",
    "party_card_no": "Số thẻ đảng viên",
    "birth_date": "Ngày sinh",
    "admission_date": "Ngày vào Đảng",
    "status": "Tình trạng",
    "username": "Tên đăng nhập",
    "roles": "Vai trò",
    "cell_id": "Chi bộ",
    "org_id": "Tổ chức",
    "org_name": "Tổ chức",
    "parent_id": "Trực thuộc",
    "kind": "Loại hình",
    "name": "Tên",
    "code": "Mã",
    "cycle_id": "Đợt kiểm điểm",
    "venue_id": "Nơi kiểm điểm",
    "place_id": "Nơi kiểm điểm",
    "review_id": "Hồ sơ kiểm điểm",
    "year": "Năm",
    "appendix": "Phụ lục",
    "form": "Mẫu bản kiểm điểm",
    "sections": "Nội dung bản kiểm điểm",
    "summary": "Tóm tắt",
    "author_member_id": "Người góp ý",
    "issuer_org_id": "Tổ chức gợi ý",
    "evaluator_kind": "Chủ thể đánh giá",
    "evaluator": "Người, tổ chức đánh giá",
    "opinion": "Ý kiến",
    "text": "Nội dung",
    "held_on": "Ngày họp",
    "attendees": "Số người dự",
    "minutes": "Biên bản",
    "conclusion": "Kết luận",
    "order_id": "Yêu cầu",
    "level": "Mức",
    "previous_level": "Mức trước đó",
    "score": "Tổng điểm",
    "ceiling": "Mức cao nhất theo quy định",
    "note": "Ghi chú",
    "number": "Lần",
    "scope": "Phạm vi",
    "deadline": "Thời hạn",
    "ordered_on": "Ngày yêu cầu",
    "description": "Hạn chế, khuyết điểm",
    "cause": "Nguyên nhân",
    "source": "Nguồn phát hiện",
    "recorded_on": "Ngày ghi nhận",
    "plan_no": "Kế hoạch số",
    "measures": "Biện pháp khắc phục",
    "responsible_member_id": "Người chịu trách nhiệm",
    "supervisor": "Giám sát",
    "supervisor_org_id": "Tổ chức giám sát",
    "adopted_on": "Ngày thông qua",
    "reported_on": "Ngày báo cáo",
    "document_reference": "Tài liệu",
    "claimed_on": "Ngày báo cáo hoàn thành",
    "outcome": "Kết quả",
    "closed_on": "Ngày xác nhận",
    "refused_on": "Ngày không xác nhận",
    "since": "Từ ngày",
    "until": "Đến ngày",
    "role": "Chức vụ",
    "reference": "Văn bản",
    "duty_related": "Liên quan đến thực thi nhiệm vụ",
    "convened": "Số được triệu tập",
    "present": "Số có mặt",
    "issued": "Số phiếu phát ra",
    "returned": "Số phiếu thu về",
    "valid": "Số phiếu hợp lệ",
    "high": "Tín nhiệm cao",
    "normal": "Tín nhiệm",
    "low": "Tín nhiệm thấp",
    "vote_year": "Năm lấy phiếu",
    "view": "Nội dung xem",
    "reader": "Người xem",
    "subject_id": "Hồ sơ",
    "seen_at": "Thời điểm xem",
    "late": "Ký sau (khóa chưa mở khi xem)",
    **FIELD_LABELS,
    # who recorded the entry (the signer is shown apart, as "Người thực hiện")
    "opened_by": "Người mở",
    "submitted_by": "Người nộp",
    "commented_by": "Người ghi",
    "recorded_by": "Người ghi",
    "issued_by": "Người ghi",
    "circulated_by": "Người gửi",
    "rated_by": "Người ghi",
    "proposed_by": "Người đề xuất",
    "decided_by": "Người quyết định",
    "ordered_by": "Người yêu cầu",
    "adopted_by": "Người ghi",
    "reported_by": "Người báo cáo",
    "claimed_by": "Người báo cáo",
    "closed_by": "Người xác nhận",
    "enrolled_by": "Người ghi",
    "assigned_by": "Người ghi",
}

# The role of the key that signed an entry (ledger.keyring), as a badge.
KEY_ROLE_LABELS: dict[str, str] = {
    "admin": "khóa quản trị",
    "user": "khóa cá nhân",
    "ballot-box": "khóa thùng phiếu",
}
# What a recorded read of a file showed (domain.audit.VIEWS).
VIEW_LABELS: dict[str, str] = {
    "member": "Trang đảng viên",
    "history": "Lịch sử hồ sơ",
    "as_of": "Trạng thái tại một thời điểm",
    "diff": "So sánh phiên bản",
    "proof": "Bằng chứng một sự kiện",
    "bundle": "Gói bằng chứng toàn bộ hồ sơ",
    "api": "Giao diện lập trình (API)",
    "event": "Nội dung một sự kiện",
}
SUBJECT_KINDS: dict[str, str] = {"individual": "Cá nhân", "collective": "Tập thể"}
YES_NO = ("Có", "Không")
NOT_NAMED = "(không rõ tên)"
TECHNICAL_DETAILS = "Chi tiết kỹ thuật"
