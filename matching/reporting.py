"""Error reports without personal data.

Django's reports (the admin error email, and the HTML report when ``include_html`` is on) list
posted values and every frame's local variables; in this project any of them may be a client
record. Outside DEBUG this filter blanks them all; the traceback itself (files, lines, the
exception) is what an operator needs and stays.
"""

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
