from django.urls import include, path

from .views import email_templates, rules, tasks

app_name = "automation"

rule_patterns = [
    path("", rules.RuleListView.as_view(), name="rule_list"),
    path("new/", rules.RuleCreateView.as_view(), name="rule_create"),
    path("<int:pk>/", rules.RuleDetailView.as_view(), name="rule_detail"),
    path("<int:pk>/edit/", rules.RuleEditView.as_view(), name="rule_edit"),
    path("<int:pk>/active/", rules.RuleSetActiveView.as_view(), name="rule_set_active"),
    path("<int:pk>/move/", rules.RuleMoveView.as_view(), name="rule_move"),
    path("<int:pk>/delete/", rules.RuleDeleteView.as_view(), name="rule_delete"),
]
time_rule_patterns = [
    path("", rules.TimeRuleListView.as_view(), name="time_rule_list"),
    path("new/", rules.TimeRuleCreateView.as_view(), name="time_rule_create"),
    path("<int:pk>/", rules.TimeRuleDetailView.as_view(), name="time_rule_detail"),
    path("<int:pk>/edit/", rules.TimeRuleEditView.as_view(), name="time_rule_edit"),
    path("<int:pk>/active/", rules.TimeRuleSetActiveView.as_view(), name="time_rule_set_active"),
    path("<int:pk>/move/", rules.TimeRuleMoveView.as_view(), name="time_rule_move"),
    path("<int:pk>/delete/", rules.TimeRuleDeleteView.as_view(), name="time_rule_delete"),
]
template_patterns = [
    path("", email_templates.TemplateListView.as_view(), name="template_list"),
    path("new/", email_templates.TemplateCreateView.as_view(), name="template_create"),
    path("<int:pk>/edit/", email_templates.TemplateEditView.as_view(), name="template_edit"),
    path("<int:pk>/delete/", email_templates.TemplateDeleteView.as_view(), name="template_delete"),
]
task_patterns = [
    path("", tasks.MyTasksView.as_view(), name="task_list"),
    path("new/", tasks.TaskCreateView.as_view(), name="task_create"),
    path("<int:pk>/done/", tasks.TaskCompleteView.as_view(), name="task_complete"),
    path("<int:pk>/reopen/", tasks.TaskReopenView.as_view(), name="task_reopen"),
]

urlpatterns = [
    path("settings/automation/workflow-rules/", include(rule_patterns)),
    path("settings/automation/time-based-rules/", include(time_rule_patterns)),
    path("settings/automation/email-templates/", include(template_patterns)),
    path("tasks/", include(task_patterns)),
]
