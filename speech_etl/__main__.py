from speech_etl.cli import app

app()
