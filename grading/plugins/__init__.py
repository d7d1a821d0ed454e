"""What nbgrader loads through a course's nbgrader_config.py: autograde's preprocessors
(repair, integrity, execution with its outside judge and sandbox), feedback, HTML
sanitising, and the LMS collector and export. Nothing here is a command: nbgrader runs it.

kernel_side/ holds what runs beside or inside the student's kernel: the launcher that
starts it in the sandbox, and the guard sent into it.
"""
