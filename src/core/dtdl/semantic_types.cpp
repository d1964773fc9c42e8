// Semantic types and units of DTDL: built into the v2 context, and brought to v3 by
// the QuantitativeTypes extension (which adds semantic types and units of its own).
#include "core/dtdl/semantic_types.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

namespace dtwin::core::dtdl {

namespace {

using std::string_view_literals::operator""sv;

// Units by unit class: those of DTDL v2 (also valid in v3) ...
constexpr std::array k_acceleration_units{"metrePerSecondSquared"sv, "centimetrePerSecondSquared"sv, "gForce"sv};
constexpr std::array k_angle_units{"radian"sv, "degreeOfArc"sv, "minuteOfArc"sv, "secondOfArc"sv, "turn"sv};
constexpr std::array k_angular_acceleration_units{"radianPerSecondSquared"sv};
constexpr std::array k_angular_velocity_units{"radianPerSecond"sv, "degreePerSecond"sv, "revolutionPerSecond"sv,
                                              "revolutionPerMinute"sv};
constexpr std::array k_area_units{"squareMetre"sv, "squareCentimetre"sv, "squareMillimetre"sv, "squareKilometre"sv,
                                  "hectare"sv,     "squareFoot"sv,       "squareInch"sv,       "acre"sv};
constexpr std::array k_capacitance_units{"farad"sv, "millifarad"sv, "microfarad"sv, "nanofarad"sv, "picofarad"sv};
constexpr std::array k_current_units{"ampere"sv, "microampere"sv, "milliampere"sv};
constexpr std::array k_data_rate_units{
    "bitPerSecond"sv,      "kibibitPerSecond"sv,  "mebibitPerSecond"sv,  "gibibitPerSecond"sv,
    "tebibitPerSecond"sv,  "exbibitPerSecond"sv,  "zebibitPerSecond"sv,  "yobibitPerSecond"sv,
    "bytePerSecond"sv,     "kibibytePerSecond"sv, "mebibytePerSecond"sv, "gibibytePerSecond"sv,
    "tebibytePerSecond"sv, "exbibytePerSecond"sv, "zebibytePerSecond"sv, "yobibytePerSecond"sv};
constexpr std::array k_data_size_units{
    "bit"sv,  "kibibit"sv,  "mebibit"sv,  "gibibit"sv,  "tebibit"sv,  "exbibit"sv,  "zebibit"sv,  "yobibit"sv,
    "byte"sv, "kibibyte"sv, "mebibyte"sv, "gibibyte"sv, "tebibyte"sv, "exbibyte"sv, "zebibyte"sv, "yobibyte"sv};
constexpr std::array k_density_units{"kilogramPerCubicMetre"sv, "gramPerCubicMetre"sv};
constexpr std::array k_length_units{
    "metre"sv, "centimetre"sv, "millimetre"sv, "micrometre"sv,   "nanometre"sv,       "kilometre"sv,
    "foot"sv,  "inch"sv,       "mile"sv,       "nauticalMile"sv, "astronomicalUnit"sv};
constexpr std::array k_charge_units{"coulomb"sv};
constexpr std::array k_energy_units{"joule"sv,        "kilojoule"sv,        "megajoule"sv,   "gigajoule"sv,
                                    "electronvolt"sv, "megaelectronvolt"sv, "kilowattHour"sv};
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
constexpr std::array k_power_units{"watt"sv,     "microwatt"sv, "milliwatt"sv,  "kilowatt"sv,
                                   "megawatt"sv, "gigawatt"sv,  "horsepower"sv, "kilowattHourPerYear"sv};
constexpr std::array k_pressure_units{"pascal"sv,          "kilopascal"sv,           "bar"sv,
                                      "millibar"sv,        "millimetresOfMercury"sv, "poundPerSquareInch"sv,
                                      "inchesOfMercury"sv, "inchesOfWater"sv};
constexpr std::array k_ratio_units{"percent"sv, "unity"sv};
constexpr std::array k_resistance_units{"ohm"sv, "milliohm"sv, "kiloohm"sv, "megaohm"sv};
constexpr std::array k_sound_pressure_units{"decibel"sv, "bel"sv};
constexpr std::array k_temperature_units{"degreeCelsius"sv, "degreeFahrenheit"sv, "kelvin"sv};
constexpr std::array k_time_units{"second"sv, "millisecond"sv, "microsecond"sv, "nanosecond"sv,
                                  "minute"sv, "hour"sv,        "day"sv,         "year"sv};
constexpr std::array k_torque_units{"newtonMetre"sv};
constexpr std::array k_velocity_units{
    "metrePerSecond"sv,   "centimetrePerSecond"sv, "kilometrePerSecond"sv, "metrePerHour"sv,
    "kilometrePerHour"sv, "milePerHour"sv,         "milePerSecond"sv,      "knot"sv};
constexpr std::array k_voltage_units{"volt"sv, "millivolt"sv, "microvolt"sv, "kilovolt"sv, "megavolt"sv};
constexpr std::array k_volume_units{"cubicMetre"sv, "cubicCentimetre"sv, "litre"sv,      "millilitre"sv,
                                    "cubicFoot"sv,  "cubicInch"sv,       "fluidOunce"sv, "gallon"sv};
constexpr std::array k_volume_flow_rate_units{"litrePerSecond"sv, "millilitrePerSecond"sv, "litrePerHour"sv,
                                              "millilitrePerHour"sv};

// ... and those QuantitativeTypes v1 adds for DTDL v3.
constexpr std::array k_current_units_v3{"kiloampere"sv};
constexpr std::array k_density_units_v3{"microgramPerCubicMetre"sv, "milligramPerCubicMetre"sv};
constexpr std::array k_charge_units_v3{"ampereHour"sv, "milliampereHour"sv};
constexpr std::array k_energy_units_v3{
    "britishThermalUnit"sv, "gigawattHour"sv, "kiloBritishThermalUnit"sv, "megawattHour"sv, "milliwattHour"sv,
    "terawattHour"sv,       "wattHour"sv};
constexpr std::array k_power_units_v3{"britishThermalUnitPerHour"sv,
                                      "gigajoulePerHour"sv,
                                      "joulePerHour"sv,
                                      "joulePerSecond"sv,
                                      "kiloBritishThermalUnitPerHour"sv,
                                      "kilojoulePerHour"sv,
                                      "kilojoulePerSecond"sv,
                                      "megajoulePerHour"sv,
                                      "tonOfRefrigeration"sv};
constexpr std::array k_frequency_units_v3{"millihertz"sv};
constexpr std::array k_magnetic_induction_units_v3{"gauss"sv};
constexpr std::array k_mass_units_v3{"massPound"sv};
constexpr std::array k_mass_flow_rate_units_v3{"massPoundPerHour"sv};
constexpr std::array k_pressure_units_v3{"decapascal"sv, "hectopascal"sv};
constexpr std::array k_ratio_units_v3{"partsPerBillion"sv, "partsPerMillion"sv, "partsPerQuadrillion"sv,
                                      "partsPerTrillion"sv};
constexpr std::array k_volume_flow_rate_units_v3{
    "cubicFootPerMinute"sv, "cubicMetrePerHour"sv, "cubicMetrePerMinute"sv, "cubicMetrePerSecond"sv,
    "gallonPerHour"sv,      "gallonPerMinute"sv,   "litrePerMinute"sv,      "millilitrePerMinute"sv};
constexpr std::array k_apparent_energy_units_v3{"gigavoltAmpereHour"sv, "kilovoltAmpereHour"sv, "megavoltAmpereHour"sv,
                                                "voltAmpereHour"sv};
constexpr std::array k_apparent_power_units_v3{"gigavoltAmpere"sv, "kilovoltAmpere"sv, "megavoltAmpere"sv,
                                               "millivoltAmpere"sv, "voltAmpere"sv};
constexpr std::array k_radiation_dose_units_v3{"gray"sv,      "microgray"sv,    "microsievert"sv,
                                               "milligray"sv, "millisievert"sv, "sievert"sv};
constexpr std::array k_irradiance_units_v3{"wattPerSquareMetre"sv};
constexpr std::array k_radioactivity_units_v3{"becquerel"sv, "gigabecquerel"sv, "kilobecquerel"sv, "megabecquerel"sv};
constexpr std::array k_reactive_energy_units_v3{"gigavoltAmpereReactiveHour"sv, "kilovoltAmpereReactiveHour"sv,
                                                "megavoltAmpereReactiveHour"sv, "voltAmpereReactiveHour"sv};
constexpr std::array k_reactive_power_units_v3{"gigavoltAmpereReactive"sv, "kilovoltAmpereReactive"sv,
                                               "megavoltAmpereReactive"sv, "millivoltAmpereReactive"sv,
                                               "voltAmpereReactive"sv};

struct UnitClass {
    std::string_view name;
    std::span<const std::string_view> units;    ///< in v2 and v3
    std::span<const std::string_view> v3_units; ///< added by QuantitativeTypes v1
};

constexpr std::array k_unit_classes{
    UnitClass{"Acceleration", k_acceleration_units, {}},
    UnitClass{"Angle", k_angle_units, {}},
    UnitClass{"AngularAcceleration", k_angular_acceleration_units, {}},
    UnitClass{"AngularVelocity", k_angular_velocity_units, {}},
    UnitClass{"Area", k_area_units, {}},
    UnitClass{"Capacitance", k_capacitance_units, {}},
    UnitClass{"Current", k_current_units, k_current_units_v3},
    UnitClass{"DataRate", k_data_rate_units, {}},
    UnitClass{"DataSize", k_data_size_units, {}},
    UnitClass{"Density", k_density_units, k_density_units_v3},
    UnitClass{"Length", k_length_units, {}},
    UnitClass{"Charge", k_charge_units, k_charge_units_v3},
    UnitClass{"Energy", k_energy_units, k_energy_units_v3},
    UnitClass{"Force", k_force_units, {}},
    UnitClass{"Frequency", k_frequency_units, k_frequency_units_v3},
    UnitClass{"Illuminance", k_illuminance_units, {}},
    UnitClass{"Inductance", k_inductance_units, {}},
    UnitClass{"Luminance", k_luminance_units, {}},
    UnitClass{"LuminousFlux", k_luminous_flux_units, {}},
    UnitClass{"LuminousIntensity", k_luminous_intensity_units, {}},
    UnitClass{"MagneticFlux", k_magnetic_flux_units, {}},
    UnitClass{"MagneticInduction", k_magnetic_induction_units, k_magnetic_induction_units_v3},
    UnitClass{"Mass", k_mass_units, k_mass_units_v3},
    UnitClass{"MassFlowRate", k_mass_flow_rate_units, k_mass_flow_rate_units_v3},
    UnitClass{"Power", k_power_units, k_power_units_v3},
    UnitClass{"Pressure", k_pressure_units, k_pressure_units_v3},
    UnitClass{"Ratio", k_ratio_units, k_ratio_units_v3},
    UnitClass{"Resistance", k_resistance_units, {}},
    UnitClass{"SoundPressure", k_sound_pressure_units, {}},
    UnitClass{"Temperature", k_temperature_units, {}},
    UnitClass{"Time", k_time_units, {}},
    UnitClass{"Torque", k_torque_units, {}},
    UnitClass{"Velocity", k_velocity_units, {}},
    UnitClass{"Voltage", k_voltage_units, {}},
    UnitClass{"Volume", k_volume_units, {}},
    UnitClass{"VolumeFlowRate", k_volume_flow_rate_units, k_volume_flow_rate_units_v3},
    UnitClass{"ApparentEnergy", {}, k_apparent_energy_units_v3},
    UnitClass{"ApparentPower", {}, k_apparent_power_units_v3},
    UnitClass{"IonizingRadiationDose", {}, k_radiation_dose_units_v3},
    UnitClass{"Irradiance", {}, k_irradiance_units_v3},
    UnitClass{"Radioactivity", {}, k_radioactivity_units_v3},
    UnitClass{"ReactiveEnergy", {}, k_reactive_energy_units_v3},
    UnitClass{"ReactivePower", {}, k_reactive_power_units_v3},
};

struct SemanticType {
    std::string_view name;
    std::string_view unit_class; ///< the unit class its `unit` comes from
    bool v3_only;
};

// Several semantic types share a unit class (Humidity uses Density units,
// Luminosity uses Power units).
constexpr std::array k_semantic_types{
    SemanticType{"Acceleration", "Acceleration", false},
    SemanticType{"Angle", "Angle", false},
    SemanticType{"AngularAcceleration", "AngularAcceleration", false},
    SemanticType{"AngularVelocity", "AngularVelocity", false},
    SemanticType{"Area", "Area", false},
    SemanticType{"Capacitance", "Capacitance", false},
    SemanticType{"Current", "Current", false},
    SemanticType{"DataRate", "DataRate", false},
    SemanticType{"DataSize", "DataSize", false},
    SemanticType{"Density", "Density", false},
    SemanticType{"Distance", "Length", false},
    SemanticType{"ElectricCharge", "Charge", false},
    SemanticType{"Energy", "Energy", false},
    SemanticType{"Force", "Force", false},
    SemanticType{"Frequency", "Frequency", false},
    SemanticType{"Humidity", "Density", false},
    SemanticType{"Illuminance", "Illuminance", false},
    SemanticType{"Inductance", "Inductance", false},
    SemanticType{"Latitude", "Angle", false},
    SemanticType{"Length", "Length", false},
    SemanticType{"Longitude", "Angle", false},
    SemanticType{"Luminance", "Luminance", false},
    SemanticType{"Luminosity", "Power", false},
    SemanticType{"LuminousFlux", "LuminousFlux", false},
    SemanticType{"LuminousIntensity", "LuminousIntensity", false},
    SemanticType{"MagneticFlux", "MagneticFlux", false},
    SemanticType{"MagneticInduction", "MagneticInduction", false},
    SemanticType{"Mass", "Mass", false},
    SemanticType{"MassFlowRate", "MassFlowRate", false},
    SemanticType{"Power", "Power", false},
    SemanticType{"Pressure", "Pressure", false},
    SemanticType{"RelativeHumidity", "Ratio", false},
    SemanticType{"Resistance", "Resistance", false},
    SemanticType{"SoundPressure", "SoundPressure", false},
    SemanticType{"Temperature", "Temperature", false},
    SemanticType{"Thrust", "Force", false},
    SemanticType{"TimeSpan", "Time", false},
    SemanticType{"Torque", "Torque", false},
    SemanticType{"Velocity", "Velocity", false},
    SemanticType{"Voltage", "Voltage", false},
    SemanticType{"Volume", "Volume", false},
    SemanticType{"VolumeFlowRate", "VolumeFlowRate", false},
    SemanticType{"ApparentEnergy", "ApparentEnergy", true},
    SemanticType{"ApparentPower", "ApparentPower", true},
    SemanticType{"Concentration", "Ratio", true},
    SemanticType{"EnergyRate", "Power", true},
    SemanticType{"IonizingRadiationDose", "IonizingRadiationDose", true},
    SemanticType{"Irradiance", "Irradiance", true},
    SemanticType{"Radioactivity", "Radioactivity", true},
    SemanticType{"ReactiveEnergy", "ReactiveEnergy", true},
    SemanticType{"ReactivePower", "ReactivePower", true},
    SemanticType{"RelativeDensity", "Ratio", true},
};

bool contains(std::span<const std::string_view> list, std::string_view term) {
    return std::find(list.begin(), list.end(), term) != list.end();
}

bool class_has_unit(const UnitClass& unit_class, std::string_view unit, int version) {
    return contains(unit_class.units, unit) || (version >= 3 && contains(unit_class.v3_units, unit));
}

const SemanticType* find_semantic_type(std::string_view term, int version) {
    for (const auto& type : k_semantic_types) {
        if (type.name == term && (!type.v3_only || version >= 3)) {
            return &type;
        }
    }
    return nullptr;
}

} // namespace

std::string_view unit_enum_class(std::string_view term) {
    if (term == "Unitless") {
        return "Ratio";
    }
    if (term == "EnergyRateUnit") {
        return "Power";
    }
    if (!term.ends_with("Unit")) {
        return {};
    }
    term.remove_suffix(4);
    for (const auto& unit_class : k_unit_classes) {
        if (unit_class.name == term && unit_class.name != "Ratio") {
            return unit_class.name;
        }
    }
    return {};
}

std::string_view unit_class_of(std::string_view unit, int version) {
    for (const auto& unit_class : k_unit_classes) {
        if (class_has_unit(unit_class, unit, version)) {
            return unit_class.name;
        }
    }
    return {};
}

std::string_view semantic_unit_class(std::string_view semantic_type, int version) {
    const SemanticType* type = find_semantic_type(semantic_type, version);
    return type == nullptr ? std::string_view{} : type->unit_class;
}

void for_each_unit(std::string_view unit_class, int version, const std::function<void(std::string_view)>& visit) {
    for (const auto& entry : k_unit_classes) {
        if (entry.name != unit_class) {
            continue;
        }
        std::for_each(entry.units.begin(), entry.units.end(), visit);
        if (version >= 3) {
            std::for_each(entry.v3_units.begin(), entry.v3_units.end(), visit);
        }
    }
}

bool is_semantic_type(std::string_view term, int version) {
    return find_semantic_type(term, version) != nullptr;
}

bool is_unit(std::string_view term, int version) {
    return std::any_of(k_unit_classes.begin(), k_unit_classes.end(),
                       [&](const UnitClass& unit_class) { return class_has_unit(unit_class, term, version); });
}

bool is_unit_of(std::string_view semantic_type, std::string_view unit, int version) {
    const SemanticType* type = find_semantic_type(semantic_type, version);
    if (type == nullptr) {
        return false;
    }
    for (const auto& unit_class : k_unit_classes) {
        if (unit_class.name == type->unit_class) {
            return class_has_unit(unit_class, unit, version);
        }
    }
    return false;
}

std::string_view standard_term(std::string_view dtmi, int version) {
    if (version >= 3) {
        for (const auto prefix :
             {"dtmi:dtdl:extension:quantitativeTypes:v1:class:"sv, "dtmi:dtdl:extension:quantitativeTypes:v1:unit:"sv,
              "dtmi:dtdl:extension:quantitativeTypes:v1:enum:"sv}) {
            if (dtmi.starts_with(prefix) && dtmi.find(':', prefix.size()) == std::string_view::npos) {
                return dtmi.substr(prefix.size());
            }
        }
    }
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
