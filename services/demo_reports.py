"""The demo's collective reports (Mẫu 01-HD KĐ.ĐG): every section the template
has (``FORM_SECTIONS["01"]``: I results, II shortcomings and causes, III the
previous review's remediation, IV answers to review suggestions, V direction and
measures; VI, the self-rating, is the rating step's), written as a chi bộ, a
leadership collective (ban thường vụ) or a party committee would write it, so
a walk of the demo shows a complete Mẫu 01.

The text is fictional and fixed: the same organisation and year give the same
report (the demo stays deterministic), and it is built with no read of the
store (the province generator writes thousands of them). Each section is one
paragraph with its numbered points inline: the domain folds line breaks in a
section's text (``domain.text.clean_text``)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.org_kinds import OrganisationKind
from domain.rulebooks import FORM_SECTIONS
from services import rating_commands as rc
from services.app import Kiemdiem

CELL = {
    "results": (
        "1. Lãnh đạo thực hiện nhiệm vụ chính trị: năm {year}, {name} lãnh đạo "
        "hoàn thành các chỉ tiêu nghị quyết đề ra; đảng viên gương mẫu thực hiện "
        "nhiệm vụ được giao, vận động quần chúng chấp hành tốt chủ trương của "
        "Đảng, chính sách, pháp luật của Nhà nước. "
        "2. Công tác xây dựng Đảng: duy trì sinh hoạt chi bộ định kỳ hằng tháng "
        "và sinh hoạt chuyên đề mỗi quý một lần; nội dung sinh hoạt có trọng tâm, "
        "gắn với nhiệm vụ của đơn vị; tổ chức học tập, quán triệt đầy đủ các nghị "
        "quyết, chỉ thị của cấp trên; làm tốt công tác bồi dưỡng quần chúng ưu "
        "tú, phát triển đảng viên. "
        "3. Thực hiện nguyên tắc tập trung dân chủ, tự phê bình và phê bình: nội "
        "bộ đoàn kết, thống nhất; không có đảng viên vi phạm phải xem xét, xử lý "
        "kỷ luật. "
        "4. Công tác kiểm tra, giám sát: thực hiện đúng chương trình kiểm tra, "
        "giám sát năm {year}; thu, nộp đảng phí đầy đủ, đúng quy định."
    ),
    "shortcomings": (
        "1. Hạn chế, khuyết điểm: chất lượng một số buổi sinh hoạt chi bộ chưa "
        "cao, còn nặng về thông báo tình hình; tinh thần tự phê bình và phê bình "
        "của một số đảng viên chưa mạnh; một số đảng viên còn chậm báo cáo kết "
        "quả thực hiện nhiệm vụ hằng tháng. "
        "2. Nguyên nhân, chủ yếu là chủ quan: chi ủy chưa chuẩn bị kỹ nội dung "
        "sinh hoạt; việc theo dõi, đôn đốc đảng viên thực hiện cam kết tu dưỡng, "
        "rèn luyện có lúc chưa thường xuyên. Về khách quan, một số đảng viên tuổi "
        "cao, ở xa, ít tham gia thảo luận."
    ),
    "remediation": (
        "Những hạn chế được chỉ ra tại kỳ kiểm điểm năm {previous} (sinh hoạt "
        "chưa đúng kỳ, hồ sơ đảng viên cập nhật chậm) đã được chi ủy xây dựng kế "
        "hoạch khắc phục, phân công rõ người, rõ việc: sinh hoạt chi bộ nay được "
        "duy trì đúng ngày quy định; hồ sơ đảng viên đã được rà soát, bổ sung đầy "
        "đủ."
    ),
    "suggestions": (
        "Năm {year}, {name} không được cấp có thẩm quyền gợi ý kiểm điểm. Các ý "
        "kiến góp ý của đảng viên vào dự thảo báo cáo đã được chi ủy tiếp thu, "
        "hoàn thiện."
    ),
    "measures": (
        "1. Đổi mới nội dung, nâng cao chất lượng sinh hoạt chi bộ; mỗi quý tổ "
        "chức một buổi sinh hoạt chuyên đề gắn với nhiệm vụ của đơn vị. "
        "2. Phát huy tự phê bình và phê bình; phân công chi ủy viên theo dõi, "
        "đôn đốc từng đảng viên thực hiện cam kết tu dưỡng, rèn luyện và chế độ "
        "báo cáo hằng tháng. "
        "3. Hoàn thành các biện pháp khắc phục trong quý II năm {following}, báo "
        "cáo kết quả với cấp ủy cấp trên."
    ),
}
LEADERSHIP = {
    "results": (
        "1. Lãnh đạo, chỉ đạo thực hiện nhiệm vụ chính trị: năm {year}, {name} "
        "cụ thể hóa và triển khai kịp thời các nghị quyết, chỉ thị của cấp trên "
        "và nghị quyết của cấp ủy; các chỉ tiêu chủ yếu về phát triển kinh tế – "
        "xã hội, quốc phòng, an ninh đạt và vượt kế hoạch. "
        "2. Xây dựng Đảng và hệ thống chính trị: ban hành đầy đủ quy chế làm "
        "việc, chương trình công tác năm; chỉ đạo thực hiện công tác cán bộ đúng "
        "quy trình; sắp xếp tổ chức bộ máy tinh gọn; các tổ chức đảng trực thuộc "
        "được củng cố, kiện toàn. "
        "3. Thực hiện nguyên tắc tập trung dân chủ: các vấn đề quan trọng đều "
        "được thảo luận dân chủ, quyết định theo đa số; phân công rõ người, rõ "
        "việc, rõ trách nhiệm; đoàn kết nội bộ được giữ vững. "
        "4. Kiểm tra, giám sát và phòng, chống tham nhũng, lãng phí, tiêu cực: "
        "thực hiện đúng chương trình kiểm tra, giám sát; chỉ đạo giải quyết dứt "
        "điểm đơn thư thuộc thẩm quyền; không để xảy ra vụ việc tham nhũng trong "
        "phạm vi lãnh đạo."
    ),
    "shortcomings": (
        "1. Hạn chế, khuyết điểm: việc cụ thể hóa một số nghị quyết, kết luận "
        "của cấp trên còn chậm; việc kiểm tra, đôn đốc thực hiện nghị quyết ở một "
        "số tổ chức đảng trực thuộc chưa thường xuyên; chuyển đổi số trong hoạt "
        "động của các cơ quan đảng còn chậm so với yêu cầu. "
        "2. Nguyên nhân: một số đồng chí trong tập thể lãnh đạo kiêm nhiệm nhiều "
        "việc, chưa dành đủ thời gian cho lĩnh vực được phân công; việc phân công "
        "theo dõi chưa gắn với chế độ báo cáo định kỳ."
    ),
    "remediation": (
        "Các hạn chế, khuyết điểm được chỉ ra tại kỳ kiểm điểm năm {previous} đã "
        "được xây dựng kế hoạch khắc phục với lộ trình cụ thể: chương trình kiểm "
        "tra, giám sát nay được ban hành đúng thời hạn; việc đôn đốc các tổ chức "
        "đảng trực thuộc thực hiện nghị quyết tiếp tục được khắc phục."
    ),
    "suggestions": (
        "Năm {year}, {name} không được cấp có thẩm quyền gợi ý kiểm điểm. Ý kiến "
        "góp ý của các tổ chức đảng trực thuộc, Mặt trận Tổ quốc và các tổ chức "
        "chính trị – xã hội cùng cấp vào dự thảo báo cáo đã được tiếp thu."
    ),
    "measures": (
        "1. Nâng cao chất lượng ban hành và cụ thể hóa nghị quyết, bảo đảm kịp "
        "thời, sát thực tế. "
        "2. Phân công từng đồng chí phụ trách lĩnh vực, địa bàn gắn với chế độ "
        "báo cáo hằng quý; tăng cường kiểm tra, giám sát việc thực hiện nghị quyết "
        "ở cơ sở. "
        "3. Đẩy mạnh chuyển đổi số trong hoạt động của các cơ quan đảng; hoàn "
        "thành các biện pháp khắc phục trước kỳ kiểm điểm năm {following}."
    ),
}
COMMITTEE = {
    "results": (
        "1. Kết quả thực hiện nhiệm vụ chính trị: năm {year}, {name} lãnh đạo "
        "hoàn thành và hoàn thành vượt mức các chỉ tiêu chủ yếu của nghị quyết "
        "năm; đời sống vật chất, tinh thần của nhân dân tiếp tục được nâng lên; "
        "quốc phòng, an ninh được giữ vững. "
        "2. Công tác xây dựng Đảng: công tác chính trị, tư tưởng được chú trọng; "
        "các tổ chức đảng trực thuộc duy trì nền nếp sinh hoạt; công tác phát "
        "triển đảng viên đạt chỉ tiêu; công tác cán bộ thực hiện đúng quy định. "
        "3. Thực hiện nguyên tắc tập trung dân chủ, đoàn kết nội bộ: cấp ủy làm "
        "việc theo quy chế; các vấn đề lớn được thảo luận, quyết định tập thể. "
        "4. Công tác kiểm tra, giám sát, kỷ luật đảng: hoàn thành chương trình "
        "kiểm tra, giám sát năm {year}; xem xét, xử lý kỷ luật nghiêm, đúng quy "
        "định."
    ),
    "shortcomings": (
        "1. Hạn chế, khuyết điểm: chất lượng sinh hoạt ở một số chi bộ chưa đồng "
        "đều; một số chỉ tiêu về thu ngân sách, chuyển đổi số đạt thấp; việc nắm "
        "tình hình tư tưởng đảng viên ở một số nơi có lúc chưa kịp thời. "
        "2. Nguyên nhân: cấp ủy chưa thường xuyên kiểm tra, hướng dẫn sinh hoạt "
        "chi bộ; một số cấp ủy viên được phân công phụ trách chi bộ chưa sâu sát; "
        "nguồn lực cho chuyển đổi số còn hạn chế."
    ),
    "remediation": (
        "Các hạn chế, khuyết điểm được chỉ ra tại kỳ kiểm điểm năm {previous} đã "
        "được cấp ủy ban hành kế hoạch khắc phục, giao trách nhiệm cho từng cấp "
        "ủy viên; việc sinh hoạt chuyên đề ở các chi bộ trực thuộc đã đi vào nền "
        "nếp; việc cập nhật dữ liệu đảng viên đã hoàn thành."
    ),
    "suggestions": (
        "Năm {year}, {name} không được cấp có thẩm quyền gợi ý kiểm điểm. Ý kiến "
        "góp ý của các chi bộ trực thuộc, Mặt trận Tổ quốc và các tổ chức chính "
        "trị – xã hội cùng cấp vào dự thảo báo cáo đã được tiếp thu."
    ),
    "measures": (
        "1. Nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức đảng; phân "
        "công cấp ủy viên dự sinh hoạt, hướng dẫn các chi bộ còn hạn chế. "
        "2. Tập trung lãnh đạo các chỉ tiêu đạt thấp, nhất là thu ngân sách và "
        "chuyển đổi số; kiểm điểm tiến độ hằng quý. "
        "3. Tăng cường kiểm tra, giám sát; hoàn thành các biện pháp khắc phục "
        "trước kỳ kiểm điểm năm {following}."
    ),
}
BY_KIND: dict[str, dict[str, str]] = {
    OrganisationKind.CELL: CELL,
    OrganisationKind.LEADERSHIP_COLLECTIVE: LEADERSHIP,
}


def collective_report(kind: str | None, name: str, year: int) -> dict[str, str]:
    """Mẫu 01 of the collective ``name`` of ``kind`` for ``year``: every
    section of the template, by its key, in the template's order."""
    texts = BY_KIND.get(kind or "", COMMITTEE)
    words = {"name": name, "year": year, "previous": year - 1, "following": year + 1}
    return {key: texts[key].format(**words) for key in FORM_SECTIONS["01"]}


def report_command(
    services: Kiemdiem, actor: str, review_id: UUID, org_id: UUID, on: date
) -> rc.CirculateReport:
    """The command circulating, on ``on``, the :func:`collective_report` of an
    organisation of the directory for the year of ``on``."""
    row = services.organisation(org_id)
    if row is None:
        raise LookupError(f"no organisation {org_id} in the directory")
    sections = collective_report(row.kind, row.name, on.year)
    return rc.CirculateReport(
        actor, review_id, summary="", circulated_on=on, sections=sections
    )
