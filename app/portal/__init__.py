"""The vendor portal: answering assessments, evidence on questions, submitting, Excel round trip."""
