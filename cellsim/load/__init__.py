"""Load layer: drive cycles, the vehicle that turns them into power, and the pack of cells."""

from .drive_cycle import DriveCycle
from .pack import Pack
from .vehicle import PowerDemand, Vehicle

__all__ = ["DriveCycle", "Pack", "PowerDemand", "Vehicle"]
