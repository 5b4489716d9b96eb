from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Routing")

    def ready(self) -> None:
        # signatures never imports the route: the public verification asks this hook which memo a PDF names.
        from signatures.verify_public import register_memo_resolver
        from workflow.verification import memo_for_document

        register_memo_resolver(memo_for_document)
