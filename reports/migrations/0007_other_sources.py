"""Reports from other sources than school: who reported (source), how it came in, the reporter
when not a school's author (nothing of them when anonymous, a database rule), and the written
confirmation of a phone report. Existing reports are all from school, by the form."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0003_school_breaks_seeded_from_break_weeks'),
        ('reports', '0006_decision_record'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='concernreport',
            name='confirmation_recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='concernreport',
            name='confirmed_in_writing_on',
            field=models.DateField(blank=True, null=True, verbose_name='confirmed in writing on'),
        ),
        migrations.AddField(
            model_name='concernreport',
            name='received_via',
            field=models.CharField(choices=[('form', 'The report form in Samverkan'), ('phone', 'Phone call'), ('letter', 'Letter'), ('email', 'E-mail')], default='form', max_length=20, verbose_name='came in by'),
        ),
        migrations.AddField(
            model_name='concernreport',
            name='reporter_anonymous',
            field=models.BooleanField(default=False, verbose_name='the reporter is anonymous'),
        ),
        migrations.AddField(
            model_name='concernreport',
            name='reporter_name',
            field=models.CharField(blank=True, max_length=200, verbose_name="the reporter's name"),
        ),
        migrations.AddField(
            model_name='concernreport',
            name='reporter_organisation',
            field=models.CharField(blank=True, max_length=200, verbose_name="the reporter's agency or organisation"),
        ),
        migrations.AddField(
            model_name='concernreport',
            name='source',
            field=models.CharField(choices=[('school', 'School or preschool'), ('police', 'The police'), ('health_care', 'Health care'), ('other_agency', 'Another agency'), ('public', 'Member of the public'), ('child_or_guardian', 'The child or a guardian')], default='school', max_length=30, verbose_name='reported by'),
        ),
        migrations.AlterField(
            model_name='concernreport',
            name='school_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='concern_reports', to='organisations.unit', verbose_name='school'),
        ),
        migrations.AddConstraint(
            model_name='concernreport',
            constraint=models.CheckConstraint(condition=models.Q(('reporter_anonymous', False), models.Q(('reporter_email', ''), ('reporter_name', ''), ('reporter_organisation', ''), ('reporter_phone', '')), _connector='OR'), name='report_anonymous_stores_no_contact'),
        ),
        migrations.AddConstraint(
            model_name='concernreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('school_unit__isnull', False), ('source', 'school')), models.Q(models.Q(('source', 'school'), _negated=True), ('school_unit__isnull', True)), _connector='OR'), name='report_school_only_from_school'),
        ),
    ]
