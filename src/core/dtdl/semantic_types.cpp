// Semantic types and units of DTDL (the v2 context and the v3 QuantitativeTypes
// extension define the same names).
#include "core/dtdl/semantic_types.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

namespace dtwin::core::dtdl {

namespace {

using std::string_view_literals::operator""sv;

constexpr std::array k_semantic_types{
    "Acceleration"sv, "Angle"sv, "AngularAcceleration"sv, "AngularVelocity"sv, "Area"sv, "Capacitance"sv,
    "Current"sv, "DataRate"sv, "DataSize"sv, "Density"sv, "Distance"sv, "ElectricCharge"sv, "Energy"sv,
    "Force"sv, "Frequency"sv, "Humidity"sv, "Illuminance"sv, "Inductance"sv, "Latitude"sv, "Length"sv,
    "Longitude"sv, "Luminance"sv, "Luminosity"sv, "LuminousFlux"sv, "LuminousIntensity"sv, "MagneticFlux"sv,
    "MagneticInduction"sv, "Mass"sv, "MassFlowRate"sv, "Power"sv, "Pressure"sv, "RelativeHumidity"sv,
    "Resistance"sv, "SoundPressure"sv, "Temperature"sv, "Thrust"sv, "TimeSpan"sv, "Torque"sv, "Velocity"sv,
    "Voltage"sv, "Volume"sv, "VolumeFlowRate"sv,
};

constexpr std::array k_units{
    "acre"sv, "ampere"sv, "astronomicalUnit"sv, "bar"sv, "bel"sv, "bit"sv, "bitPerSecond"sv, "byte"sv,
    "bytePerSecond"sv, "candela"sv, "candelaPerSquareMetre"sv, "centimetre"sv, "centimetrePerSecond"sv,
    "centimetrePerSecondSquared"sv, "coulomb"sv, "cubicCentimetre"sv, "cubicFoot"sv, "cubicInch"sv,
    "cubicMetre"sv, "day"sv, "decibel"sv, "degreeCelsius"sv, "degreeFahrenheit"sv, "degreeOfArc"sv,
    "degreePerSecond"sv, "electronvolt"sv, "exbibit"sv, "exbibitPerSecond"sv, "exbibyte"sv,
    "exbibytePerSecond"sv, "farad"sv, "fluidOunce"sv, "foot"sv, "footcandle"sv, "gallon"sv, "gForce"sv,
    "gibibit"sv, "gibibitPerSecond"sv, "gibibyte"sv, "gibibytePerSecond"sv, "gigahertz"sv, "gigajoule"sv,
    "gigawatt"sv, "gram"sv, "gramPerCubicMetre"sv, "gramPerHour"sv, "gramPerSecond"sv, "hectare"sv,
    "henry"sv, "hertz"sv, "horsepower"sv, "hour"sv, "inch"sv, "inchesOfMercury"sv, "inchesOfWater"sv,
    "joule"sv, "kelvin"sv, "kibibit"sv, "kibibitPerSecond"sv, "kibibyte"sv, "kibibytePerSecond"sv,
    "kilogram"sv, "kilogramPerCubicMetre"sv, "kilogramPerHour"sv, "kilogramPerSecond"sv, "kilohertz"sv,
    "kilojoule"sv, "kilometre"sv, "kilometrePerHour"sv, "kilometrePerSecond"sv, "kiloohm"sv, "kilopascal"sv,
    "kilovolt"sv, "kilowatt"sv, "kilowattHour"sv, "kilowattHourPerYear"sv, "knot"sv, "litre"sv,
    "litrePerHour"sv, "litrePerSecond"sv, "lumen"sv, "lux"sv, "maxwell"sv, "mebibit"sv, "mebibitPerSecond"sv,
    "mebibyte"sv, "mebibytePerSecond"sv, "megaelectronvolt"sv, "megahertz"sv, "megajoule"sv, "megaohm"sv,
    "megavolt"sv, "megawatt"sv, "metre"sv, "metrePerHour"sv, "metrePerSecond"sv, "metrePerSecondSquared"sv,
    "microampere"sv, "microfarad"sv, "microgram"sv, "microhenry"sv, "micrometre"sv, "microsecond"sv,
    "microvolt"sv, "microwatt"sv, "mile"sv, "milePerHour"sv, "milePerSecond"sv, "milliampere"sv, "millibar"sv,
    "millifarad"sv, "milligram"sv, "millihenry"sv, "millilitre"sv, "millilitrePerHour"sv,
    "millilitrePerSecond"sv, "millimetre"sv, "millimetresOfMercury"sv, "milliohm"sv, "millisecond"sv,
    "millivolt"sv, "milliwatt"sv, "minute"sv, "minuteOfArc"sv, "nanofarad"sv, "nanometre"sv, "nanosecond"sv,
    "nauticalMile"sv, "newton"sv, "newtonMetre"sv, "ohm"sv, "ounce"sv, "pascal"sv, "percent"sv, "picofarad"sv,
    "pound"sv, "poundPerSquareInch"sv, "radian"sv, "radianPerSecond"sv, "radianPerSecondSquared"sv,
    "revolutionPerMinute"sv, "revolutionPerSecond"sv, "second"sv, "secondOfArc"sv, "slug"sv,
    "squareCentimetre"sv, "squareFoot"sv, "squareInch"sv, "squareKilometre"sv, "squareMetre"sv,
    "squareMillimetre"sv, "tebibit"sv, "tebibitPerSecond"sv, "tebibyte"sv, "tebibytePerSecond"sv, "tesla"sv,
    "ton"sv, "tonne"sv, "turn"sv, "unity"sv, "volt"sv, "watt"sv, "weber"sv, "year"sv, "yobibit"sv,
    "yobibitPerSecond"sv, "yobibyte"sv, "yobibytePerSecond"sv, "zebibit"sv, "zebibitPerSecond"sv,
    "zebibyte"sv, "zebibytePerSecond"sv,
};

// Units grouped by the unit class they belong to.
struct UnitClass {
    std::string_view name;
    std::span<const std::string_view> units;
};

constexpr std::array k_acceleration_units{"metrePerSecondSquared"sv, "centimetrePerSecondSquared"sv, "gForce"sv};
constexpr std::array k_angle_units{"radian"sv, "degreeOfArc"sv, "minuteOfArc"sv, "secondOfArc"sv, "turn"sv};
constexpr std::array k_angular_acceleration_units{"radianPerSecondSquared"sv};
constexpr std::array k_angular_velocity_units{"radianPerSecond"sv, "degreePerSecond"sv, "revolutionPerSecond"sv,
                                              "revolutionPerMinute"sv};
constexpr std::array k_area_units{"squareMetre"sv, "squareCentimetre"sv, "squareMillimetre"sv, "squareKilometre"sv,
                                  "hectare"sv, "squareFoot"sv, "squareInch"sv, "acre"sv};
constexpr std::array k_capacitance_units{"farad"sv, "millifarad"sv, "microfarad"sv, "nanofarad"sv, "picofarad"sv};
constexpr std::array k_current_units{"ampere"sv, "microampere"sv, "milliampere"sv};
constexpr std::array k_data_rate_units{
    "bitPerSecond"sv, "kibibitPerSecond"sv, "mebibitPerSecond"sv, "gibibitPerSecond"sv, "tebibitPerSecond"sv,
    "exbibitPerSecond"sv, "zebibitPerSecond"sv, "yobibitPerSecond"sv, "bytePerSecond"sv, "kibibytePerSecond"sv,
    "mebibytePerSecond"sv, "gibibytePerSecond"sv, "tebibytePerSecond"sv, "exbibytePerSecond"sv,
    "zebibytePerSecond"sv, "yobibytePerSecond"sv};
constexpr std::array k_data_size_units{"bit"sv, "kibibit"sv, "mebibit"sv, "gibibit"sv, "tebibit"sv, "exbibit"sv,
                                       "zebibit"sv, "yobibit"sv, "byte"sv, "kibibyte"sv, "mebibyte"sv,
                                       "gibibyte"sv, "tebibyte"sv, "exbibyte"sv, "zebibyte"sv, "yobibyte"sv};
constexpr std::array k_density_units{"kilogramPerCubicMetre"sv, "gramPerCubicMetre"sv};
constexpr std::array k_length_units{"metre"sv, "centimetre"sv, "millimetre"sv, "micrometre"sv, "nanometre"sv,
                                    "kilometre"sv, "foot"sv, "inch"sv, "mile"sv, "nauticalMile"sv,
                                    "astronomicalUnit"sv};
constexpr std::array k_charge_units{"coulomb"sv};
constexpr std::array k_energy_units{"joule"sv, "kilojoule"sv, "megajoule"sv, "gigajoule"sv, "electronvolt"sv,
                                    "megaelectronvolt"sv, "kilowattHour"sv};
constexpr std::array k_force_units{"newton"sv, "pound"sv, "ounce"sv, "ton"sv};
constexpr std::array k_frequency_units{"hertz"sv, "kilohertz"sv, "megahertz"sv, "gigahertz"sv};
constexpr std::array k_illuminance_units{"lux"sv, "footcandle"sv};
constexpr std::array k_inductance_units{"henry"sv, "millihenry"sv, "microhenry"sv};
constexpr std::array k_luminance_units{"candelaPerSquareMetre"sv};
constexpr std::array k_luminous_flux_units{"lumen"sv};
constexpr std::array k_luminous_intensity_units{"candela"sv};
constexpr std::array k_magnetic_flux_units{"weber"sv, "maxwell"sv};
constexpr std::array k_magnetic_induction_units{"tesla"sv};
constexpr std::array k_mass_units{"kilogram"sv, "gram"sv, "milligram"sv, "microgram"sv, "tonne"sv, "slug"sv};
constexpr std::array k_mass_flow_rate_units{"gramPerSecond"sv, "kilogramPerSecond"sv, "gramPerHour"sv,
                                            "kilogramPerHour"sv};
constexpr std::array k_power_units{"watt"sv, "microwatt"sv, "milliwatt"sv, "kilowatt"sv, "megawatt"sv,
                                   "gigawatt"sv, "horsepower"sv, "kilowattHourPerYear"sv};
constexpr std::array k_pressure_units{"pascal"sv, "kilopascal"sv, "bar"sv, "millibar"sv,
                                      "millimetresOfMercury"sv, "poundPerSquareInch"sv, "inchesOfMercury"sv,
                                      "inchesOfWater"sv};
constexpr std::array k_ratio_units{"percent"sv, "unity"sv};
constexpr std::array k_resistance_units{"ohm"sv, "milliohm"sv, "kiloohm"sv, "megaohm"sv};
constexpr std::array k_sound_pressure_units{"decibel"sv, "bel"sv};
constexpr std::array k_temperature_units{"degreeCelsius"sv, "degreeFahrenheit"sv, "kelvin"sv};
constexpr std::array k_time_units{"second"sv, "millisecond"sv, "microsecond"sv, "nanosecond"sv, "minute"sv,
                                  "hour"sv, "day"sv, "year"sv};
constexpr std::array k_torque_units{"newtonMetre"sv};
constexpr std::array k_velocity_units{"metrePerSecond"sv, "centimetrePerSecond"sv, "kilometrePerSecond"sv,
                                      "metrePerHour"sv, "kilometrePerHour"sv, "milePerHour"sv,
                                      "milePerSecond"sv, "knot"sv};
constexpr std::array k_voltage_units{"volt"sv, "millivolt"sv, "microvolt"sv, "kilovolt"sv, "megavolt"sv};
constexpr std::array k_volume_units{"cubicMetre"sv, "cubicCentimetre"sv, "litre"sv, "millilitre"sv,
                                    "cubicFoot"sv, "cubicInch"sv, "fluidOunce"sv, "gallon"sv};
constexpr std::array k_volume_flow_rate_units{"litrePerSecond"sv, "millilitrePerSecond"sv, "litrePerHour"sv,
                                              "millilitrePerHour"sv};

constexpr std::array k_unit_classes{
    UnitClass{"Acceleration", k_acceleration_units}, UnitClass{"Angle", k_angle_units},
    UnitClass{"AngularAcceleration", k_angular_acceleration_units},
    UnitClass{"AngularVelocity", k_angular_velocity_units}, UnitClass{"Area", k_area_units},
    UnitClass{"Capacitance", k_capacitance_units}, UnitClass{"Current", k_current_units},
    UnitClass{"DataRate", k_data_rate_units}, UnitClass{"DataSize", k_data_size_units},
    UnitClass{"Density", k_density_units}, UnitClass{"Length", k_length_units},
    UnitClass{"Charge", k_charge_units}, UnitClass{"Energy", k_energy_units}, UnitClass{"Force", k_force_units},
    UnitClass{"Frequency", k_frequency_units}, UnitClass{"Illuminance", k_illuminance_units},
    UnitClass{"Inductance", k_inductance_units}, UnitClass{"Luminance", k_luminance_units},
    UnitClass{"LuminousFlux", k_luminous_flux_units}, UnitClass{"LuminousIntensity", k_luminous_intensity_units},
    UnitClass{"MagneticFlux", k_magnetic_flux_units}, UnitClass{"MagneticInduction", k_magnetic_induction_units},
    UnitClass{"Mass", k_mass_units}, UnitClass{"MassFlowRate", k_mass_flow_rate_units},
    UnitClass{"Power", k_power_units}, UnitClass{"Pressure", k_pressure_units}, UnitClass{"Ratio", k_ratio_units},
    UnitClass{"Resistance", k_resistance_units}, UnitClass{"SoundPressure", k_sound_pressure_units},
    UnitClass{"Temperature", k_temperature_units}, UnitClass{"Time", k_time_units},
    UnitClass{"Torque", k_torque_units}, UnitClass{"Velocity", k_velocity_units},
    UnitClass{"Voltage", k_voltage_units}, UnitClass{"Volume", k_volume_units},
    UnitClass{"VolumeFlowRate", k_volume_flow_rate_units},
};

// Semantic type -> the unit class its unit must come from.
constexpr std::array<std::pair<std::string_view, std::string_view>, 42> k_semantic_unit_classes{{
    {"Acceleration"sv, "Acceleration"sv}, {"Angle"sv, "Angle"sv},
    {"AngularAcceleration"sv, "AngularAcceleration"sv}, {"AngularVelocity"sv, "AngularVelocity"sv},
    {"Area"sv, "Area"sv}, {"Capacitance"sv, "Capacitance"sv}, {"Current"sv, "Current"sv},
    {"DataRate"sv, "DataRate"sv}, {"DataSize"sv, "DataSize"sv}, {"Density"sv, "Density"sv},
    {"Distance"sv, "Length"sv}, {"ElectricCharge"sv, "Charge"sv}, {"Energy"sv, "Energy"sv},
    {"Force"sv, "Force"sv}, {"Frequency"sv, "Frequency"sv}, {"Humidity"sv, "Density"sv},
    {"Illuminance"sv, "Illuminance"sv}, {"Inductance"sv, "Inductance"sv}, {"Latitude"sv, "Angle"sv},
    {"Length"sv, "Length"sv}, {"Longitude"sv, "Angle"sv}, {"Luminance"sv, "Luminance"sv},
    {"Luminosity"sv, "Power"sv}, {"LuminousFlux"sv, "LuminousFlux"sv},
    {"LuminousIntensity"sv, "LuminousIntensity"sv}, {"MagneticFlux"sv, "MagneticFlux"sv},
    {"MagneticInduction"sv, "MagneticInduction"sv}, {"Mass"sv, "Mass"sv}, {"MassFlowRate"sv, "MassFlowRate"sv},
    {"Power"sv, "Power"sv}, {"Pressure"sv, "Pressure"sv}, {"RelativeHumidity"sv, "Ratio"sv},
    {"Resistance"sv, "Resistance"sv}, {"SoundPressure"sv, "SoundPressure"sv},
    {"Temperature"sv, "Temperature"sv}, {"Thrust"sv, "Force"sv}, {"TimeSpan"sv, "Time"sv},
    {"Torque"sv, "Torque"sv}, {"Velocity"sv, "Velocity"sv}, {"Voltage"sv, "Voltage"sv},
    {"Volume"sv, "Volume"sv}, {"VolumeFlowRate"sv, "VolumeFlowRate"sv},
}};

template <typename List>
bool contains(const List& list, std::string_view term) {
    return std::find(list.begin(), list.end(), term) != list.end();
}

} // namespace

bool is_semantic_type(std::string_view term) {
    return contains(k_semantic_types, term);
}

bool is_unit(std::string_view term) {
    return contains(k_units, term);
}

bool is_unit_of(std::string_view semantic_type, std::string_view unit) {
    for (const auto& [type, unit_class] : k_semantic_unit_classes) {
        if (type != semantic_type) {
            continue;
        }
        for (const auto& [name, units] : k_unit_classes) {
            if (name == unit_class) {
                return contains(units, unit);
            }
        }
    }
    return is_unit(unit);
}

std::string_view standard_term(std::string_view dtmi, int version) {
    const std::string_view suffix = version >= 3 ? ";3"sv : ";2"sv;
    if (!dtmi.ends_with(suffix)) {
        return {};
    }
    dtmi.remove_suffix(suffix.size());
    for (const auto prefix : {"dtmi:standard:class:"sv, "dtmi:standard:unit:"sv}) {
        if (dtmi.starts_with(prefix) && dtmi.find(':', prefix.size()) == std::string_view::npos) {
            return dtmi.substr(prefix.size());
        }
    }
    return {};
}

} // namespace dtwin::core::dtdl
