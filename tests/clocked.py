"""`python -m tests.clocked <celery arguments>`: Celery with its clock moved TEST_CLOCK_OFFSET
seconds ahead (time-machine) and ticking, so that a worker and beat live days later, as the
test's own process does once it moved its clock the same way."""

import os
import sys
import time

import time_machine
from celery.__main__ import main

time_machine.travel(time.time() + float(os.environ["TEST_CLOCK_OFFSET"]), tick=True).start()
sys.exit(main())
