# A round holds several indicators, each with its supervising group and kind; quantitative
# indicators' targets and the measured values; filings for one indicator or the whole round.

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def groups_and_filings_from_existing_rows(apps, schema_editor):
    """Each distinct supervisor an indicator named becomes a supervising group (reloading the rubric
    files, which name groups by code, then points the indicators at the loaded groups); each filing
    gets the unit and round of its assessment."""
    Indicator = apps.get_model("milestones", "Indicator")
    SupervisingGroup = apps.get_model("milestones", "SupervisingGroup")
    Filing = apps.get_model("milestones", "Filing")
    groups = {}
    for indicator in Indicator.objects.order_by("pk"):
        key = (indicator.supervisor, indicator.supervisor_phone)
        if key not in groups:
            groups[key] = SupervisingGroup.objects.create(
                code=f"group-{len(groups) + 1}", name=indicator.supervisor, phone=indicator.supervisor_phone
            )
        indicator.group = groups[key]
        indicator.save(update_fields=["group"])
    for filing in Filing.objects.select_related("assessment__indicator"):
        filing.unit_id = filing.assessment.unit_id
        filing.round_id = filing.assessment.indicator.round_id
        filing.save(update_fields=["unit", "round"])


class Migration(migrations.Migration):

    dependencies = [
        ('milestones', '0004_auditevent_change_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SupervisingGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=30, unique=True, verbose_name='รหัสกลุ่ม')),
                ('name', models.CharField(max_length=200, verbose_name='ชื่อกลุ่ม/หน่วยงานผู้กำกับ')),
                ('phone', models.CharField(blank=True, max_length=50, verbose_name='โทรศัพท์ภายใน')),
                ('is_sample', models.BooleanField(default=False, verbose_name='ข้อมูลตัวอย่าง')),
            ],
            options={
                'verbose_name': 'ผู้กำกับตัวชี้วัด',
                'verbose_name_plural': 'ผู้กำกับตัวชี้วัด',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='filing',
            name='round',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='filings', to='milestones.round', verbose_name='รอบการประเมิน'),
        ),
        migrations.AddField(
            model_name='filing',
            name='unit',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='filings', to='milestones.unit', verbose_name='หน่วยงาน'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='direction',
            field=models.CharField(blank=True, choices=[('higher', 'ยิ่งมากยิ่งดี'), ('lower', 'ยิ่งน้อยยิ่งดี')], max_length=10, verbose_name='ทิศทางของค่า'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='is_sample',
            field=models.BooleanField(default=False, help_text='ตัวชี้วัดตัวอย่างที่เขียนขึ้นเพื่อการสาธิต ไม่ใช่ตัวชี้วัดจริงของกรม', verbose_name='ข้อมูลตัวอย่าง'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='kind',
            field=models.CharField(choices=[('milestone', 'ระดับขั้นของความสำเร็จ (Milestone)'), ('quantitative', 'เชิงปริมาณ (ค่าเป้าหมาย 5 ระดับ)')], default='milestone', max_length=20, verbose_name='ประเภทตัวชี้วัด'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='value_max',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='ค่าสูงสุดที่รายงานได้'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='value_min',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='ค่าต่ำสุดที่รายงานได้'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='value_unit',
            field=models.CharField(blank=True, max_length=50, verbose_name='หน่วยของค่าที่วัด'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='score',
            field=models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=6, verbose_name='คะแนน'),
        ),
        migrations.AlterField(
            model_name='filing',
            name='assessment',
            field=models.ForeignKey(blank=True, help_text='ว่าง: บันทึกข้อความครอบคลุมทุกตัวชี้วัดของรอบ', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='filings', to='milestones.assessment', verbose_name='ตัวชี้วัด'),
        ),
        migrations.AlterField(
            model_name='filing',
            name='recipient',
            field=models.CharField(max_length=255, verbose_name='เรียน'),
        ),
        migrations.AlterField(
            model_name='profile',
            name='role',
            field=models.CharField(choices=[('staff', 'เจ้าหน้าที่หน่วยงาน'), ('reviewer', 'ผู้ตรวจประเมิน (ผู้กำกับตัวชี้วัด)'), ('viewer', 'ผู้บริหาร (ดูอย่างเดียว)'), ('admin', 'ผู้ดูแลระบบ')], default='staff', max_length=10, verbose_name='บทบาท'),
        ),
        migrations.CreateModel(
            name='Measurement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='ค่าที่วัดได้')),
                ('measured_on', models.DateField(verbose_name='วันที่วัด')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='บันทึกเมื่อ')),
                ('progress', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='measurement', to='milestones.stepprogress')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'ผลการวัด',
                'verbose_name_plural': 'ผลการวัด',
            },
        ),
        migrations.AddField(
            model_name='indicator',
            name='group',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='indicators', to='milestones.supervisinggroup', verbose_name='ผู้กำกับตัวชี้วัด'),
        ),
        migrations.AddField(
            model_name='profile',
            name='supervising_groups',
            field=models.ManyToManyField(blank=True, help_text='ผู้ตรวจประเมินเห็นและพิจารณาเฉพาะตัวชี้วัดของกลุ่มที่สังกัด', related_name='members', to='milestones.supervisinggroup', verbose_name='ผู้กำกับตัวชี้วัดที่สังกัด'),
        ),
        migrations.CreateModel(
            name='Target',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='ระดับ')),
                ('value', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='ค่าเป้าหมาย')),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='milestones.indicator', verbose_name='ตัวชี้วัด')),
            ],
            options={
                'verbose_name': 'ค่าเป้าหมาย',
                'verbose_name_plural': 'ค่าเป้าหมาย',
                'ordering': ['indicator', 'level'],
                'constraints': [models.UniqueConstraint(fields=('indicator', 'level'), name='target_unique_per_indicator_level'), models.CheckConstraint(condition=models.Q(('level__gte', 1), ('level__lte', 5)), name='target_level_range')],
            },
        ),
        migrations.RunPython(groups_and_filings_from_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='indicator',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='indicators', to='milestones.supervisinggroup', verbose_name='ผู้กำกับตัวชี้วัด'),
        ),
        migrations.AlterField(
            model_name='filing',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='filings', to='milestones.round', verbose_name='รอบการประเมิน'),
        ),
        migrations.AlterField(
            model_name='filing',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='filings', to='milestones.unit', verbose_name='หน่วยงาน'),
        ),
        migrations.RemoveField(
            model_name='indicator',
            name='supervisor',
        ),
        migrations.RemoveField(
            model_name='indicator',
            name='supervisor_phone',
        ),
    ]
