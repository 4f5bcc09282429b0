/* The BCM2835 power manager's watchdog: how a Raspberry Pi resets or powers off. */
#pragma once

#include <stdbool.h>

/*
 * Powers the machine off the way the Pi's firmware convention says: the reset status
 * names partition 63 ("halt"), then a full reset is requested through the watchdog.
 * Under QEMU this ends the emulation. Returns false at once if the device tree named no
 * power manager; true only if the reset did not take effect.
 */
bool bcm2835_pm_poweroff(void);
