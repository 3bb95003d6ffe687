from speech_etl.cli import main

main()
